-- wrk script: POST /ias/v1/search?size=SIZE with a fixed JSON body read from a file.
-- Usage: wrk ... -s search.lua URL -- BODY_FILE [SIZE]
-- The body file holds {"type": "APP", "query": "..."} (search.sh writes it with Python's
-- json module, so the query needs no escaping here).
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local common = dofile(dir .. "common.lua")
common.auth()
wrk.headers["Content-Type"] = "application/json"

local req
setup = common.setup

function init(args)
  local path = args[1] or error("usage: -- BODY_FILE [SIZE]")
  local f = assert(io.open(path, "r"))
  local body = f:read("*a")
  f:close()
  local size = tonumber(args[2]) or 50
  -- The request never changes: build it once.
  req = wrk.format("POST", string.format("/ias/v1/search?size=%d", size), nil, body)
end

function request()
  return req
end

done = common.summary
