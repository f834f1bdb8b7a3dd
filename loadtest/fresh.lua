-- wrk script: an endless stream of never-repeating link IDs on
-- GET /links/<id>/identity. The ID is built from a run tag (the script's
-- first argument, so that runs against one server never repeat each
-- other's IDs), the thread number and a per-thread counter
-- (mk_fresh_<tag>_<thread>_<counter>). Used for the cold throughput (every
-- answer a generation) and to check that memory stays bounded; run.sh
-- bounds that run by count, from the mock's request log, and by time.

local threads_started = 0

function setup(thread)
  thread:set("tid", threads_started)
  threads_started = threads_started + 1
end

local headers
local n = 0
local prefix

function init(args)
  headers = {
    ["Authorization"] = "Bearer sandbox-token",
    ["MoneyKit-Version"] = "2023-02-18",
  }
  prefix = string.format("/links/mk_fresh_%s_%d_", args[1] or "0", tid or 0)
end

function request()
  n = n + 1
  return wrk.format("GET", prefix .. n .. "/identity", headers)
end
