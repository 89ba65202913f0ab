# Winback's image: the `winback` command, run as the worker (default), `winback web` or
# `winback migrate`. docker-compose.yml builds it; configuration comes only from the environment
# (see .env.example). Build by hand with `docker build -t winback .`.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore

WORKDIR /src

# Dependencies first, in a layer of their own, so a code change does not reinstall them: with
# only pyproject.toml present the project installs as an empty package that pulls in every
# dependency, and is then removed again.
COPY pyproject.toml README.md ./
RUN pip install . && pip uninstall --yes winback

# The project itself: the packages pyproject.toml lists, nothing else (.dockerignore keeps
# .env, data/ and the virtualenv out of the build context as well).
COPY campaigns ./campaigns
COPY contracts ./contracts
COPY inbound ./inbound
COPY templates ./templates
COPY workflows ./workflows
COPY activities ./activities
COPY signals ./signals
COPY winback ./winback
RUN pip install --no-deps . && winback --help > /dev/null

# An unprivileged user owns the data folder: outbox, task files and, without DATABASE_URL,
# the SQLite store. Compose mounts a named volume there; Docker copies this ownership into it.
RUN groupadd --system --gid 10001 winback \
    && useradd --system --uid 10001 --gid winback --home-dir /home/winback --create-home winback \
    && mkdir /data \
    && chown winback:winback /data

ENV WINBACK_DATA_DIR=/data \
    WINBACK_WEB_HOST=0.0.0.0
VOLUME ["/data"]
WORKDIR /data
USER 10001:10001
EXPOSE 8000

CMD ["winback", "worker"]
