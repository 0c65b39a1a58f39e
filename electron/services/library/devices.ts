/**
 * Which execution providers a model can run on here, each unavailable one with the reason a writer
 * can act on. Two facts decide: the platform (CUDA: Linux/Windows; DirectML: Windows; CoreML:
 * macOS), and what this onnxruntime-node build offers (`listSupportedBackends()`, where a backend
 * with `bundled: false` needs binaries installed separately — onnxruntime-node's CUDA provider).
 * For CUDA the NVIDIA driver must also be present. The probe is pure given its inputs, so tests
 * can describe any machine.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import type { DeviceName, DeviceOption, DeviceReport } from '../../api/models';

export interface BackendInfo {
  name: string;
  bundled: boolean;
}

export interface DeviceProbe {
  platform: NodeJS.Platform;
  /** onnxruntime-node's listSupportedBackends(), or null when the runtime could not be loaded. */
  backends: BackendInfo[] | null;
  /** Why the runtime could not be loaded (when backends is null). */
  runtimeError?: string;
  /** The CUDA provider library of onnxruntime-node is installed. */
  cudaProviderInstalled: boolean;
  /** An NVIDIA driver is installed (Linux: /proc/driver/nvidia; Windows: nvcuda.dll). */
  nvidiaDriver: boolean;
  cpuThreads: number;
}

export const DEVICE_LABELS: Record<DeviceName, string> = {
  cpu: 'CPU',
  cuda: 'NVIDIA GPU (CUDA)',
  dml: 'GPU (DirectML)',
  coreml: 'Apple Neural Engine / GPU (CoreML)',
};

/** How to fetch onnxruntime-node's CUDA binaries (the README's "GPU execution providers" says the same). */
export const CUDA_INSTALL_HINT =
  "with CUDA 12 installed, run `node node_modules/onnxruntime-node/script/install.js --onnxruntime-node-install=cuda12` in Inkling's folder once, then restart Inkling";

export function describeDevices(p: DeviceProbe): DeviceReport {
  const has = (name: string): BackendInfo | undefined => p.backends?.find((b) => b.name === name);
  const runtime =
    p.backends === null ? `the inference runtime could not be loaded (${p.runtimeError ?? 'unknown error'})` : null;
  const option = (device: DeviceName, reason: string | null): DeviceOption =>
    reason
      ? { device, label: DEVICE_LABELS[device], available: false, reason }
      : { device, label: DEVICE_LABELS[device], available: true };

  const cuda = (): string | null => {
    if (p.platform !== 'linux' && p.platform !== 'win32')
      return 'CUDA runs on Linux and Windows with an NVIDIA graphics card.';
    if (runtime) return `Not available: ${runtime}.`;
    const b = has('cuda');
    if (!b) return 'This build of onnxruntime-node has no CUDA support.';
    if (!p.nvidiaDriver) return 'No NVIDIA graphics driver was found on this computer.';
    if (!b.bundled && !p.cudaProviderInstalled) return `The CUDA provider is not installed: ${CUDA_INSTALL_HINT}.`;
    return null;
  };
  const dml = (): string | null => {
    if (p.platform !== 'win32') return 'DirectML runs on Windows only.';
    if (runtime) return `Not available: ${runtime}.`;
    return has('dml') ? null : 'This build of onnxruntime-node has no DirectML support.';
  };
  const coreml = (): string | null => {
    if (p.platform !== 'darwin') return 'CoreML runs on macOS only.';
    if (runtime) return `Not available: ${runtime}.`;
    return has('coreml') ? null : 'This build of onnxruntime-node has no CoreML support.';
  };
  return {
    devices: [
      option('cpu', runtime ? `Not available: ${runtime}.` : null),
      option('cuda', cuda()),
      option('dml', dml()),
      option('coreml', coreml()),
    ],
    cpuThreads: Math.max(1, p.cpuThreads),
    platform: p.platform,
  };
}

/** Looks at this machine. onnxruntime-node is loaded here only to list its backends (no session). */
export function probeDevices(): DeviceProbe {
  const platform = process.platform;
  const require = createRequire(import.meta.url);
  let backends: BackendInfo[] | null = null;
  let runtimeError: string | undefined;
  let bindingDir: string | null = null;
  try {
    const ort = require('onnxruntime-node') as { listSupportedBackends?: () => BackendInfo[] };
    backends = ort.listSupportedBackends?.() ?? [{ name: 'cpu', bundled: true }];
    const pkg = require.resolve('onnxruntime-node/package.json');
    bindingDir = path.join(path.dirname(pkg), 'bin', 'napi-v6', platform, process.arch);
  } catch (err) {
    runtimeError = (err as Error).message;
  }
  const cudaLib = platform === 'win32' ? 'onnxruntime_providers_cuda.dll' : 'libonnxruntime_providers_cuda.so';
  const cudaProviderInstalled = bindingDir !== null && fs.existsSync(path.join(bindingDir, cudaLib));
  const nvidiaDriver =
    platform === 'linux'
      ? fs.existsSync('/proc/driver/nvidia/version')
      : platform === 'win32'
        ? fs.existsSync(path.join(process.env.SystemRoot ?? 'C:\\Windows', 'System32', 'nvcuda.dll'))
        : false;
  return {
    platform,
    backends,
    runtimeError,
    cudaProviderInstalled,
    nvidiaDriver,
    cpuThreads: os.availableParallelism?.() ?? os.cpus().length,
  };
}

let cached: DeviceReport | null = null;

/** This machine's devices (probed once: installing drivers needs an app restart anyway). */
export function detectDevices(): DeviceReport {
  cached ??= describeDevices(probeDevices());
  return cached;
}
