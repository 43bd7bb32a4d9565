-- wrk script: GET /ias/v1/apps/{id} with ids drawn uniformly from a file (one per line).
-- Usage: wrk ... -s get_app.lua URL -- IDS_FILE
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local common = dofile(dir .. "common.lua")
common.auth()

local ids = {}
setup = common.setup

function init(args)
  local path = args[1] or error("usage: -- IDS_FILE")
  for line in io.lines(path) do
    if line ~= "" then ids[#ids + 1] = line end
  end
  if #ids == 0 then error("no ids in " .. path) end
  common.seed_random()
end

function request()
  return wrk.format("GET", "/ias/v1/apps/" .. ids[math.random(#ids)])
end

done = common.summary
