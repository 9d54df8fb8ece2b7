# A stand-in for the public `eclipse-mosquitto` image, built from Debian's mosquitto package
# for machines that cannot pull from an image registry (`make docker-check` builds it).
# Select it with MOSQUITTO_IMAGE=local/mosquitto-standin:2. Same layout as the public image:
# configuration in /mosquitto/config, data in /mosquitto/data; runs as user mosquitto.
#
#   docker build -f docker/standins/mosquitto.Dockerfile --build-arg BASE_IMAGE=<local Debian> \
#       -t local/mosquitto-standin:2 docker
ARG BASE_IMAGE=debian:bookworm-slim
FROM ${BASE_IMAGE}
RUN apt-get update \
 && apt-get install -y --no-install-recommends mosquitto mosquitto-clients \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /mosquitto/config /mosquitto/data /mosquitto/log \
 && chown -R mosquitto:mosquitto /mosquitto
COPY mosquitto/mosquitto.conf /mosquitto/config/mosquitto.conf
EXPOSE 1883
# Started as root, mosquitto drops to the `mosquitto` user itself.
CMD ["mosquitto", "-c", "/mosquitto/config/mosquitto.conf"]
