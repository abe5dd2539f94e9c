# One image for every Argus service; the command picks the service:
#   docker run argus node launcher/dist/service.js devices
FROM node:20-bookworm-slim AS build
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY . .
RUN npm ci && npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends ffmpeg && rm -rf /var/lib/apt/lists/*
COPY --from=build /app /app
ENV NODE_ENV=production
USER node
# a 64 MiB young generation for every Argus process (README, "Two ways to run")
ENV NODE_OPTIONS=--max-semi-space-size=64
CMD ["node", "launcher/dist/embedded.js"]
