-- wrk script: POST /ias/v1/apps with names unique across threads and runs.
-- Usage: wrk ... -s create_app.lua URL -- RUN_TAG
-- Names are wrk-RUN_TAG-THREAD-N: give every wrk invocation its own RUN_TAG.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local common = dofile(dir .. "common.lua")
common.auth()
wrk.headers["Content-Type"] = "application/json"

local run, n = "run", 0
setup = common.setup

function init(args)
  run = args[1] or tostring(os.time())
end

function request()
  n = n + 1
  local body = string.format('{"name":"wrk-%s-%d-%d","description":"created by bench/create_app.lua"}', run, tid or 0, n)
  return wrk.format("POST", "/ias/v1/apps", nil, body)
end

done = common.summary
