-- wrk script: GET /ias/v1/apps?size=SIZE&index=N with N uniform over the seeded pages.
-- Usage: wrk ... -s list_apps.lua URL -- PAGES [SIZE]
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local common = dofile(dir .. "common.lua")
common.auth()

local pages, size = 1, 50
setup = common.setup

function init(args)
  pages = tonumber(args[1]) or error("usage: -- PAGES [SIZE]")
  size = tonumber(args[2]) or 50
  common.seed_random()
end

function request()
  return wrk.format("GET", string.format("/ias/v1/apps?size=%d&index=%d", size, math.random(0, pages - 1)))
end

done = common.summary
