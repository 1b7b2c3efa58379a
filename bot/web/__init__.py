"""The bot's web server: one ASGI application (Starlette, served by uvicorn) for what arrives
over HTTP: Telegram's webhook calls and the health check a load balancer asks."""
