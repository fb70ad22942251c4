wrk.method = "POST"
wrk.body = '{"model":"bench-model","messages":[{"role":"user","content":"hello there"}]}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer mm-dZQrK33-6yJrXNGhhoAS95ZQGUgYVNUSU_9ahbKObWk"
