-- wrk script: an endless stream of never-repeating link IDs on
-- GET /links/<id>/identity. The ID is built from the thread number and a
-- per-thread counter (mk_fresh_<thread>_<counter>), so no ID is ever sent
-- twice in a run. Used to check that the mock's memory stays bounded.

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
  prefix = string.format("/links/mk_fresh_%d_", tid or 0)
end

function request()
  n = n + 1
  return wrk.format("GET", prefix .. n .. "/identity", headers)
end
