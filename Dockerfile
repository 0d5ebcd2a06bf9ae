# Production image: the installed Doorstep wheel on PostgreSQL, as a non-root user.
#   docker build -t doorstep .
#   docker run -p 8000:8000 -e DOORSTEP_DATABASE_URL=postgresql://user:pass@db:5432/doorstep \
#     -e DOORSTEP_ENVIRONMENT=production -e DOORSTEP_SECRET_KEY=... \
#     -e DOORSTEP_PUBLIC_BASE_URL=https://survey.example.org doorstep

FROM python:3.11-slim AS build
WORKDIR /src
COPY . .
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DOORSTEP_HOST=0.0.0.0 \
    DOORSTEP_PORT=8000
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels \
    && useradd --create-home --uid 10001 doorstep
USER doorstep
WORKDIR /home/doorstep
EXPOSE 8000
# DOORSTEP_DATABASE_URL must point at PostgreSQL: the schema is brought up to date, then the
# service starts (web chat, webhooks, API, officer console and the in-process scheduler).
CMD ["sh", "-c", "doorstep db upgrade && exec doorstep serve"]
