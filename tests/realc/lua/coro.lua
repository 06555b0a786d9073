-- Coroutines (lua_resume/yield: C stack switching inside the interpreter),
-- errors across C frames (longjmp), deep recursion, and the collector.
local function gen(n)
  return coroutine.wrap(function()
    for i = 1, n do coroutine.yield(i) end
  end)
end
local s = 0
for v in gen(1000) do s = s + v end
print("wrap", s)

local co = coroutine.create(function(a, b)
  local c = coroutine.yield(a + b)
  local d, e = coroutine.yield(c * 2)
  return d + e
end)
print("resume", coroutine.resume(co, 1, 2))
print("resume", coroutine.resume(co, 10))
print("resume", coroutine.resume(co, 3, 4))
print("status", coroutine.status(co), coroutine.resume(co))

-- a producer/consumer pipeline of coroutines
local function producer()
  return coroutine.create(function()
    for i = 1, 5 do coroutine.yield("item" .. i) end
    return nil
  end)
end
local function filter(p)
  return coroutine.create(function()
    while true do
      local _, x = coroutine.resume(p)
      if not x then return nil end
      coroutine.yield(x:upper())
    end
  end)
end
local f = filter(producer())
local got = {}
while true do
  local _, x = coroutine.resume(f)
  if not x then break end
  got[#got + 1] = x
end
print("pipeline", table.concat(got, " "))

-- error inside a coroutine, through table.sort's C comparator
local ok, msg = pcall(table.sort, {3, 1, 2}, function(a, b) error("cmp failed") end)
print("sort error", ok, (msg:gsub("^.-:%d+: ", "")))
local co2 = coroutine.create(function() local x = nil; return x.field end)
local ok2, m2 = coroutine.resume(co2)
print("coroutine error", ok2, (m2:gsub("^.-:%d+: ", "")))

-- recursion depth (C stack for the parser and the VM's C calls)
local function depth(n) if n == 0 then return 0 end return 1 + depth(n - 1) end
print("depth", depth(10000))
local deep = string.rep("(", 150) .. "1" .. string.rep(")", 150)
print("parse", load("return " .. deep)())
local ok3, m3 = pcall(function() local function f() return f() + 1 end return f() end)
print("overflow", ok3, m3:match("stack overflow") ~= nil)

-- the collector: weak tables, finalizers, many allocations
local weak = setmetatable({}, {__mode = "k"})
local finalized = 0
for i = 1, 1000 do
  local k = setmetatable({}, {__gc = function() finalized = finalized + 1 end})
  weak[k] = i
end
collectgarbage("collect")
collectgarbage("collect")
local left = 0
for _ in pairs(weak) do left = left + 1 end
print("gc", left, finalized)
local big = {}
for i = 1, 200000 do big[i] = {i, tostring(i)} end
big = nil
collectgarbage()
print("gc done", collectgarbage("count") < 10000)

-- string.dump and load of binary chunks
local fn = function(x) return x * 3 end
print("dump", load(string.dump(fn))(14))
print("os", type(os.time()), os.getenv("HOME") ~= nil, os.date("!%Y-%m-%d", 0))
