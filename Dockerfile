# propel-etl's command line in an image, for the README's Kubernetes CronJob and `docker run`:
#
#   docker build -t propel-etl:0.1.0 .
#   docker run --rm -v "$PWD/data:/data" -e PROPEL_CLIENT_ID -e PROPEL_CLIENT_SECRET \
#     propel-etl:0.1.0 run /data/pipelines/users.yaml --out runs/today
#
# Three stages on the same base image, so the native module built in one runs in the other:
# build compiles the TypeScript, deps installs the production dependencies, and the runtime
# stage takes both and nothing else (no compiler, no dev dependencies, no sources).

# Compiles src/ to dist/. Install scripts are skipped: tsc needs no native module, and the
# package's own `prepare` would build before the sources are copied.
FROM node:24-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# The production dependencies. better-sqlite3 (the delta state) is native: its install script
# fetches a prebuilt binary for this Node and libc, or compiles one, hence the compilers here
# and only here. `prepare` is skipped (it would run tsc, a dev dependency); the last line fails
# the build, not a night's run, when the binary does not load.
FROM node:24-slim AS deps
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts \
  && npm rebuild better-sqlite3 \
  && node -e "new (require('better-sqlite3'))(':memory:').close()"

FROM node:24-slim
ENV NODE_ENV=production
WORKDIR /app
# Owned by root and read-only to the user the import runs as.
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY schemas ./schemas
COPY config ./config
# runs/ (run folders, for --resume and the reports) and state/ (delta sync) are made relative to
# the working folder: a volume keeps them from one night to the next. Owned by `node`, so that a
# new named volume starts writable.
RUN mkdir /data && chown node:node /data
WORKDIR /data
VOLUME /data
USER node
ENTRYPOINT ["node", "/app/dist/cli/main.js"]
CMD ["--help"]
