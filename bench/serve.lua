-- wrk script for bench/serve.sh: each connection mixes reads and writes of
-- /v1/tasks (3 GETs of the list or one task, then 1 POST), and every
-- thread counts the answers by status, so the run can be checked against
-- the database afterwards.
local threads = {}
local token = os.getenv("NESTOR_TOKEN")

function setup(thread)
	table.insert(threads, thread)
end

function init(args)
	n, created, other, bad = 0, 0, 0, 0
	wrk.headers["Authorization"] = "Bearer " .. token
	wrk.headers["Content-Type"] = "application/json"
end

function request()
	n = n + 1
	if n % 4 == 0 then
		return wrk.format("POST", "/v1/tasks", nil,
			'{"title":"load ' .. n .. '","priority":' .. (n % 10) .. '}')
	elseif n % 4 == 1 then
		return wrk.format("GET", "/v1/tasks?limit=20")
	else
		return wrk.format("GET", "/v1/tasks/1")
	end
end

function response(status, headers, body)
	if status == 201 then
		created = created + 1
	elseif status == 200 then
		other = other + 1
	else
		bad = bad + 1
	end
end

function done(summary, latency, requests)
	local c, o, b = 0, 0, 0
	for _, t in ipairs(threads) do
		c = c + t:get("created")
		o = o + t:get("other")
		b = b + t:get("bad")
	end
	io.write(string.format("RESULT created=%d read=%d bad=%d requests=%d errors=%d " ..
		"p50_ms=%.2f p99_ms=%.2f duration_s=%.2f\n",
		c, o, b, summary.requests,
		summary.errors.connect + summary.errors.read + summary.errors.write +
		summary.errors.status + summary.errors.timeout,
		latency:percentile(50) / 1000, latency:percentile(99) / 1000,
		summary.duration / 1e6))
end
