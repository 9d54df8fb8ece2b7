# A stand-in for the public `redis` image, built from Debian's redis-server package for
# machines that cannot pull from an image registry (`make docker-check` builds it).
# Select it with REDIS_IMAGE=local/redis-standin:7 (compose.yaml's default is the public one).
#
#   docker build -f docker/standins/redis.Dockerfile --build-arg BASE_IMAGE=<local Debian> \
#       -t local/redis-standin:7 docker
ARG BASE_IMAGE=debian:bookworm-slim
FROM ${BASE_IMAGE}
RUN apt-get update \
 && apt-get install -y --no-install-recommends redis-server redis-tools \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /data \
 && chown redis:redis /data
WORKDIR /data
USER redis
EXPOSE 6379
# Like the public image: no configuration file, so protected mode is switched off for the
# bundle's private network (Redis is never published by compose.yaml).
ENTRYPOINT ["/bin/sh", "-c", "if [ \"$1\" = redis-server ]; then shift; exec redis-server --protected-mode no \"$@\"; fi; exec \"$@\"", "--"]
CMD ["redis-server"]
