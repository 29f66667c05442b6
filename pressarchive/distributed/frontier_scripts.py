"""The shared frontier's Lua scripts: each step of a run (join, heartbeat,
push, pop, idle, leave) is one atomic call on Redis, so that processes that
die between two steps leave the run consistent. `frontier.py` explains the
run they implement.
"""

from __future__ import annotations

_NOW = "local t = redis.call('TIME'); local now = tonumber(t[1]) + tonumber(t[2]) / 1000000\n"

# KEYS: requests, processing, members, idle, alive. Requeue the dead members' work.
_RECOVER = """
local dead = redis.call('ZRANGEBYSCORE', KEYS_alive, '-inf', now)
local recovered = 0
for _, m in ipairs(dead) do
  local entries = redis.call('HGETALL', KEYS_processing)
  local prefix = m .. '|'
  for i = 1, #entries, 2 do
    if string.sub(entries[i], 1, #prefix) == prefix then
      redis.call('RPUSH', KEYS_requests, entries[i + 1])
      redis.call('HDEL', KEYS_processing, entries[i])
      recovered = recovered + 1
    end
  end
  redis.call('ZREM', KEYS_alive, m)
  redis.call('SREM', KEYS_members, m)
  redis.call('SREM', KEYS_idle, m)
end
"""


def _script(body: str, names: list[str]) -> str:
    """A Lua script whose KEYS are bound to readable local names."""
    bind = "".join(f"local KEYS_{name} = KEYS[{i + 1}]\n" for i, name in enumerate(names))
    return bind + _NOW + body


_CORE = ["run", "requests", "processing", "members", "idle", "alive"]

JOIN = _script(
    _RECOVER
    + """
local run = redis.call('GET', KEYS_run)
local created = 0
if not run then
  run = ARGV[2]
  redis.call('SET', KEYS_run, run)
  created = 1
end
redis.call('SADD', KEYS_members, ARGV[1])
redis.call('SREM', KEYS_idle, ARGV[1])
redis.call('ZADD', KEYS_alive, now + tonumber(ARGV[3]), ARGV[1])
return {run, created, recovered}
""",
    _CORE,
)

HEARTBEAT = _script(
    """
if redis.call('EXISTS', KEYS_run) == 0 then return 0 end
redis.call('SADD', KEYS_members, ARGV[1])
redis.call('ZADD', KEYS_alive, now + tonumber(ARGV[2]), ARGV[1])
return 1
""",
    _CORE,
)

# ARGV: fingerprint ('' = not filtered), encoded request, '1' to go first (pops are RPOPs)
PUSH = _script(
    """
if ARGV[1] ~= '' and redis.call('SADD', KEYS_dupefilter, ARGV[1]) == 0 then return 0 end
if ARGV[3] == '1' then redis.call('RPUSH', KEYS_requests, ARGV[2])
else redis.call('LPUSH', KEYS_requests, ARGV[2]) end
return 1
""",
    ["dupefilter", "requests"],
)

# ARGV: member, most. Moves up to `most` requests into the member's processing
# hash, but no more than its share of the queue (queued / members, rounded up),
# so that a process taking several at once leaves the others theirs.
# Returns {requests left in the queue, receipt, encoded request, receipt, ...}.
POP = _script(
    """
local queued = redis.call('LLEN', KEYS_requests)
if queued == 0 then return {0} end
local members = math.max(1, redis.call('SCARD', KEYS_members))
local n = math.max(1, math.min(tonumber(ARGV[2]), math.ceil(queued / members)))
local last = redis.call('INCRBY', KEYS_serial, n)
local popped = {}
for i = 1, n do
  local blob = redis.call('RPOP', KEYS_requests)
  if not blob then break end
  local receipt = ARGV[1] .. '|' .. (last - n + i)
  redis.call('HSET', KEYS_processing, receipt, blob)
  popped[#popped + 1] = receipt
  popped[#popped + 1] = blob
end
table.insert(popped, 1, queued - n)
redis.call('SREM', KEYS_idle, ARGV[1])
redis.call('SADD', KEYS_members, ARGV[1])
return popped
""",
    ["requests", "processing", "serial", "idle", "members"],
)

# The member's engine is idle: what it popped is done. Returns 1 when the run is over.
IDLE = _script(
    """
if redis.call('EXISTS', KEYS_run) == 0 then return 1 end
local entries = redis.call('HKEYS', KEYS_processing)
local prefix = ARGV[1] .. '|'
for _, field in ipairs(entries) do
  if string.sub(field, 1, #prefix) == prefix then redis.call('HDEL', KEYS_processing, field) end
end
redis.call('SADD', KEYS_members, ARGV[1])
redis.call('SADD', KEYS_idle, ARGV[1])
redis.call('ZADD', KEYS_alive, now + tonumber(ARGV[2]), ARGV[1])
"""
    + _RECOVER
    + """
if redis.call('LLEN', KEYS_requests) == 0 and
   redis.call('SCARD', KEYS_members) == redis.call('SCARD', KEYS_idle) then return 1 end
return 0
""",
    _CORE,
)

# ARGV: member, finished (1: what it popped is done; 0: stopped early, requeue it).
# Returns 1 when this call ended the run (its keys deleted).
LEAVE = _script(
    """
local entries = redis.call('HGETALL', KEYS_processing)
local prefix = ARGV[1] .. '|'
for i = 1, #entries, 2 do
  if string.sub(entries[i], 1, #prefix) == prefix then
    if ARGV[2] == '0' then redis.call('RPUSH', KEYS_requests, entries[i + 1]) end
    redis.call('HDEL', KEYS_processing, entries[i])
  end
end
redis.call('SREM', KEYS_members, ARGV[1])
redis.call('SREM', KEYS_idle, ARGV[1])
redis.call('ZREM', KEYS_alive, ARGV[1])
"""
    + _RECOVER
    + """
if redis.call('LLEN', KEYS_requests) == 0 and
   redis.call('SCARD', KEYS_members) == redis.call('SCARD', KEYS_idle) then
  local ended = redis.call('DEL', KEYS_run)
  redis.call('DEL', KEYS_requests, KEYS_processing, KEYS_members, KEYS_idle, KEYS_alive,
             KEYS_dupefilter, KEYS_serial)
  return ended
end
return 0
""",
    [*_CORE, "dupefilter", "serial"],
)
