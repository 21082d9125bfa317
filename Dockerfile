# Multi-stage build of the service: one image, two roles chosen by the command,
#   node dist/api/main.js      (the default)
#   node dist/worker/main.js   (compose gives it NODE_OPTIONS=--max-semi-space-size=16 and MALLOC_ARENA_MAX=2: worker/process-env.ts)
# both from `npm run build` (tsc into dist/, plus the signing fonts).
# Node 24 LTS, the version scripts/bootstrap.sh pins for development, tests and CI (NODE_VERSION).
ARG NODE_IMAGE=node:24.22.3-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
# The npm scripts run through it; without .tools/node (not in the image) it keeps the image's Node.
COPY scripts/with-node.sh ./scripts/
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY workflows ./workflows
COPY activities ./activities
COPY worker ./worker
COPY api ./api
# The build's devDependencies (TypeScript, the test tools) stay in this stage.
RUN npm run build && npm prune --omit=dev

FROM ${NODE_IMAGE}
ENV NODE_ENV=production APP_ENV=production HOST=0.0.0.0 \
    DATA_DIR=/var/lib/esign PKI_DIR=/var/lib/esign/pki
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
# The data directory belongs to the unprivileged user: a named volume mounted there starts with
# this ownership, so the PKI can be created on first start.
RUN mkdir -p /var/lib/esign && chown node:node /var/lib/esign
USER node
# 3000: the API; 9464: the worker's /metrics and /healthz (METRICS_PORT).
EXPOSE 3000 9464
CMD ["node", "dist/api/main.js"]
