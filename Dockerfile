# newsbot: one image for every role (`docker run IMAGE run --role poller`; the entrypoint is
# `newsbot`, so a command is its arguments). Dependencies come from the hashed lock.
FROM python:3.11-slim AS base
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
RUN useradd --system --uid 10001 newsbot && mkdir /data && chown newsbot /data
# The build backend (setuptools) is pinned and hash-checked too: requirements-build.lock, and
# the package is built without pip's isolated build env, which would fetch it unpinned.
COPY requirements.lock requirements-build.lock ./
RUN pip install --require-hashes -r requirements.lock -r requirements-build.lock
COPY pyproject.toml README.md ./
# bot/default_config links to ../../config: copy both before building the package.
COPY config ./config
COPY bot ./bot
RUN pip install --no-deps --no-build-isolation . && rm -rf build
COPY seeds ./seeds
USER newsbot
ENV NEWSBOT_DATABASE_URL=sqlite+aiosqlite:////data/newsbot.db \
    NEWSBOT_METRICS_HOST=0.0.0.0 NEWSBOT_METRICS_PORT=9108
VOLUME ["/data"]
EXPOSE 9108
# Probes the port in NEWSBOT_METRICS_PORT, whatever a deployment sets it to.
HEALTHCHECK --interval=30s --timeout=5s CMD ["python", "-m", "bot.cmd.healthcheck"]
ENTRYPOINT ["newsbot"]
CMD ["run"]
