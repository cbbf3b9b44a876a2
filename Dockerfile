# The image the Kubernetes and Airflow examples of docs/scheduling.md and docs/scale.md run:
#   docker build -t registry.example/tradewatch:0.1.0 .
#   docker run --rm -v "$PWD/lake:/data" registry.example/tradewatch:0.1.0 run all --trade /data/comtrade --out /data/tradewatch
# Its entry point is the `tradewatch` bin (also on the PATH, for `sh -c "tradewatch …"`); it runs as the non-root
# user `node`, so --out must be a folder that user may write (a volume). Not built in CI: test/cli/dockerfile.test.ts
# checks what can be checked without building it, and test/cli/bin.test.ts runs the bin from a production-only install.

# build: the full install, whose `prepare` script compiles the CLI into dist/ (scripts/build.mjs)
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json ./
COPY scripts/build.mjs scripts/
COPY src src
COPY pipelines pipelines
RUN npm ci --no-audit --no-fund

# runtime: production dependencies only (no tsx, typescript or esbuild), the compiled CLI, the bin and the data
FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` builds, which needs the devDependencies; the compiled CLI comes from the build stage
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist dist
COPY bin bin
COPY data data
RUN chmod 755 bin/tradewatch.js && ln -s /app/bin/tradewatch.js /usr/local/bin/tradewatch
USER node
ENTRYPOINT ["tradewatch"]
CMD ["--help"]
