# syntax=docker/dockerfile:1
# The stemflow Functions app as a container for the GPU app (Azure Container Apps, serverless GPU
# workload profile, STEMFLOW_MODE=model). Built by bicep/hooks/postdeploy.* with `az acr build`;
# see docs/deploy.md. The Flex Consumption app does not use this image.

# ---- build: compile TypeScript and install production dependencies, with onnxruntime-node's
# ---- CUDA 12 binaries (the repository's .npmrc says onnxruntime-node-install=skip; the command
# ---- line wins over it).
FROM mcr.microsoft.com/azure-functions/node:4-node20 AS build
WORKDIR /src
COPY package.json package-lock.json .npmrc ./
RUN npm config set onnxruntime-node-install=cuda12 --location=user \
 && npm ci --onnxruntime-node-install=cuda12 --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json host.json ./
COPY shared ./shared
COPY functions ./functions
COPY cli ./cli
COPY devhost ./devhost
COPY models ./models
COPY scripts ./scripts
COPY bin ./bin
RUN npm run build \
 && npm prune --omit=dev --onnxruntime-node-install=cuda12 --no-audit --no-fund

# ---- runtime: the Functions host image + the CUDA 12 / cuDNN 9 user-space libraries that
# ---- onnxruntime-node's CUDA execution provider loads (the GPU driver comes from the host).
FROM mcr.microsoft.com/azure-functions/node:4-node20
ARG CUDA_KEYRING_URL=https://developer.download.nvidia.com/compute/cuda/repos/debian12/x86_64/cuda-keyring_1.1-1_all.deb
ARG CUDA_VERSION=12-6
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl \
 && curl -fsSL -o /tmp/cuda-keyring.deb "$CUDA_KEYRING_URL" \
 && dpkg -i /tmp/cuda-keyring.deb && rm /tmp/cuda-keyring.deb \
 && apt-get update \
 && apt-get install -y --no-install-recommends \
      cuda-cudart-${CUDA_VERSION} libcublas-${CUDA_VERSION} libcufft-${CUDA_VERSION} libcurand-${CUDA_VERSION} libcudnn9-cuda-12 \
 && rm -rf /var/lib/apt/lists/*
ENV LD_LIBRARY_PATH=/usr/local/cuda/lib64:/usr/local/cuda-12/lib64:${LD_LIBRARY_PATH} \
    AzureWebJobsScriptRoot=/home/site/wwwroot \
    AzureFunctionsJobHost__Logging__Console__IsEnabled=true \
    STEMFLOW_MODE=model \
    STEMFLOW_EXECUTION_PROVIDER=cuda \
    STEMFLOW_MODEL_DIR=/home/site/wwwroot/models/weights
WORKDIR /home/site/wwwroot
COPY --from=build /src/package.json /src/host.json ./
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
# Model weights are not in git: fetch them into models/weights before the build (npm run
# models:fetch, models/README.md). The manifest travels with them.
COPY models ./models
# shared/models/manifest.ts resolves the manifest two levels above its compiled file
# (dist/models/manifest.json), so put a copy there as well.
COPY models/manifest.json ./dist/models/manifest.json
