/** Which devices are offered, and why the others are not, for machines this one is not. */
import { describe, expect, it } from 'vitest';
import { describeDevices, probeDevices, type DeviceProbe } from '../../../electron/services/library';

const base: DeviceProbe = {
  platform: 'linux',
  backends: [
    { name: 'cpu', bundled: true },
    { name: 'cuda', bundled: false },
  ],
  cudaProviderInstalled: false,
  nvidiaDriver: false,
  cpuThreads: 8,
};
const reasons = (p: Partial<DeviceProbe>) =>
  Object.fromEntries(describeDevices({ ...base, ...p }).devices.map((d) => [d.device, d.available ? 'ok' : d.reason]));

describe('devices', () => {
  it("Linux: CUDA needs the NVIDIA driver and onnxruntime-node's CUDA binaries; DirectML and CoreML are other platforms'", () => {
    expect(reasons({})).toEqual({
      cpu: 'ok',
      cuda: 'No NVIDIA graphics driver was found on this computer.',
      dml: 'DirectML runs on Windows only.',
      coreml: 'CoreML runs on macOS only.',
    });
    expect(reasons({ nvidiaDriver: true }).cuda).toMatch(
      /CUDA provider is not installed: with CUDA 12 installed, run `node node_modules\/onnxruntime-node\/script\/install\.js --onnxruntime-node-install=cuda12`/,
    );
    expect(reasons({ nvidiaDriver: true, cudaProviderInstalled: true }).cuda).toBe('ok');
    expect(reasons({ nvidiaDriver: true, backends: [{ name: 'cpu', bundled: true }] }).cuda).toBe(
      'This build of onnxruntime-node has no CUDA support.',
    );
  });

  it('Windows offers DirectML when the runtime has it; macOS offers CoreML, never CUDA', () => {
    const win = reasons({
      platform: 'win32',
      backends: [
        { name: 'cpu', bundled: true },
        { name: 'dml', bundled: true },
        { name: 'cuda', bundled: false },
      ],
    });
    expect(win).toMatchObject({ cpu: 'ok', dml: 'ok', coreml: 'CoreML runs on macOS only.' });
    const mac = reasons({
      platform: 'darwin',
      backends: [
        { name: 'cpu', bundled: true },
        { name: 'coreml', bundled: true },
      ],
    });
    expect(mac).toEqual({
      cpu: 'ok',
      coreml: 'ok',
      cuda: 'CUDA runs on Linux and Windows with an NVIDIA graphics card.',
      dml: 'DirectML runs on Windows only.',
    });
  });

  it('a runtime that cannot load makes every device unavailable, saying so', () => {
    const r = describeDevices({
      ...base,
      backends: null,
      runtimeError: 'libonnxruntime.so.1: cannot open shared object file',
      nvidiaDriver: true,
    });
    expect(r.devices.every((d) => !d.available)).toBe(true);
    expect(r.devices[0].reason).toMatch(/inference runtime could not be loaded \(libonnxruntime\.so\.1: cannot open/);
    expect(describeDevices({ ...base, cpuThreads: 0 }).cpuThreads).toBe(1);
  });

  it('this machine: the CPU is always there, with its thread count', () => {
    const r = describeDevices(probeDevices());
    expect(r.devices[0]).toEqual({ device: 'cpu', label: 'CPU', available: true });
    expect(r.cpuThreads).toBeGreaterThanOrEqual(1);
    expect(r.platform).toBe(process.platform);
  });
});
