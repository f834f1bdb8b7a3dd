-- wrk script: rotate through 10,000 distinct link IDs mk_load_00000..mk_load_09999
-- on GET /links/<id>/identity, with the sandbox bearer token and API version.
-- Each thread starts at a different offset so threads do not walk in lockstep.
-- Requests are formatted once in init() so the client spends its CPU on I/O.

local N = 10000
local threads_started = 0

function setup(thread)
  thread:set("tid", threads_started)
  threads_started = threads_started + 1
end

local reqs = {}
local i = 0

function init(args)
  local headers = {
    ["Authorization"] = "Bearer sandbox-token",
    ["MoneyKit-Version"] = "2023-02-18",
  }
  for k = 0, N - 1 do
    reqs[k] = wrk.format("GET", string.format("/links/mk_load_%05d/identity", k), headers)
  end
  i = ((tid or 0) * 5003) % N
end

function request()
  local r = reqs[i]
  i = (i + 1) % N
  return r
end
