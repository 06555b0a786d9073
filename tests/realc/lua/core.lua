-- Lua language core: closures, varargs, integer/float arithmetic, goto,
-- metatables, string library. Deterministic output only.
local function counter()
  local n = 0
  return function(k) n = n + (k or 1); return n end
end
local c = counter()
c(); c(5)
print("closure", c())

local function sum(...)
  local s = 0
  for i = 1, select("#", ...) do s = s + select(i, ...) end
  return s, select("#", ...)
end
print("varargs", sum(1, 2, 3, 4.5))

print("int", 7 // 2, 7 % -3, -7 // 2, 2^10, 1 << 62, math.maxinteger + 1 == math.mininteger)
print("float", 7 / 2, 1e300 * 1e10, -0.0, 3 % math.huge, math.floor(-3.5), math.tointeger(3.0))
print("fmt", string.format("%5.2f|%-5d|%x|%q|%g", math.pi, 42, 255, "a\nb\0c", 1e20))

for i = 1, 3 do
  for j = 1, 3 do
    if j == 2 then goto continue end
    io.write(i, ":", j, " ")
    ::continue::
  end
end
print()

local V = {}
V.__index = V
V.__add = function(a, b) return setmetatable({x = a.x + b.x, y = a.y + b.y}, V) end
V.__eq = function(a, b) return a.x == b.x and a.y == b.y end
V.__tostring = function(v) return "(" .. v.x .. "," .. v.y .. ")" end
V.__lt = function(a, b) return a.x < b.x end
local function vec(x, y) return setmetatable({x = x, y = y}, V) end
print("meta", tostring(vec(1, 2) + vec(3, 4)), vec(1, 1) == vec(1, 1), vec(1, 0) < vec(2, 0))

local words = {}
for w in ("the quick brown fox jumps over the lazy dog"):gmatch("%a+") do words[#words + 1] = w end
table.sort(words, function(a, b) return #a < #b or (#a == #b and a < b) end)
print("sort", table.concat(words, ","))
print("gsub", ("hello world"):gsub("o", {o = "0"}), ("abc"):rep(3, "-"), ("%d+"):len())
print("find", ("key = value"):find("(%w+)%s*=%s*(%w+)"))
print("utf8", utf8.len("héllo"), utf8.char(72, 228, 8364), #utf8.char(8364))
print("pack", string.unpack("<i4", string.pack("<i4", -2)), #string.pack("z", "abc"))

local t = {}
for i = 1, 100 do t[i] = i * i end
print("table", #t, t[100], table.unpack(t, 1, 5))
print("move", table.concat(table.move({1, 2, 3}, 1, 3, 2, {9}), ","))

local ok, err = pcall(function() error({code = 7}) end)
print("pcall", ok, type(err), err.code)
print("xpcall", xpcall(function() return nil + 1 end, function(m) return "handled: " .. m:gsub("^.-:%d+: ", "") end))
print("tostring", tostring(nil), tostring(true), 10 == 10.0, math.type(10), math.type(10.0), 0x10, "10" + 1)
