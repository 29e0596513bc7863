-- a prelude, as lib.lua is to the services' scripts
local function greeting(name)
  return 'hello ' .. name
end
