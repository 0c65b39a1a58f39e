/**
 * Where the model runs: the device (unavailable ones shown disabled, with the reason) and CPU threads.
 * Changing either reloads the model; a device that fails to start falls back to the CPU and says so.
 */
import { useEffect } from 'react';
import { useStore } from 'zustand';
import type { Device } from '../../../electron/api';
import { useApp } from '../app/context';

export function DeviceSettings({ compact = false }: { compact?: boolean }) {
  const { settings, engine, models } = useApp();
  const device = useStore(settings, (s) => s.settings.device);
  const threads = useStore(settings, (s) => s.settings.threads);
  const report = useStore(models, (s) => s.devices);
  const model = useStore(engine, (s) => s.status.model);
  const update = settings.getState().update;
  useEffect(() => {
    if (!report) void models.getState().refreshDevices();
  }, [report, models]);
  const options = report?.devices ?? [{ device: 'cpu' as const, label: 'CPU', available: true }];
  const unavailable = options.filter((d) => !d.available);
  const maxThreads = report?.cpuThreads ?? 64;
  return (
    <div className={`device-settings${compact ? ' compact' : ''}`} data-testid="device-settings">
      <label className="field" title="Where the model runs. Changing it reloads the model.">
        <span>Device</span>
        <select value={device} onChange={(e) => void update({ device: e.target.value as Device })} data-testid="setting-device">
          {options.map((d) => (
            <option key={d.device} value={d.device} disabled={!d.available} title={d.reason}>
              {d.label}
              {d.available ? '' : ' — unavailable'}
            </option>
          ))}
        </select>
      </label>
      <label className="field" title={`How many CPU threads the model uses (0 = automatic; this computer has ${maxThreads}). Changing it reloads the model.`}>
        <span>CPU threads</span>
        <input
          type="number"
          min={0}
          max={maxThreads}
          value={threads}
          onChange={(e) => e.target.value !== '' && void update({ threads: Math.max(0, Math.min(maxThreads, Math.round(Number(e.target.value)))) })}
          data-testid="setting-threads"
        />
      </label>
      {!compact && model?.cpuNote && model.format !== 'remote' ? (
        <p
          className="device-cpu-note"
          data-testid="cpu-note"
          title="Spinning threads wait for the model's next step busily instead of sleeping: faster when the cores are free, slower when other programs need them. It is decided each time a model loads."
        >
          How {model.name} runs on the CPU: {model.cpuNote}.
        </p>
      ) : null}
      {model?.deviceNote ? (
        <p className="device-note" role="status" data-testid="device-note">
          Running on the CPU instead: {model.deviceNote}.
        </p>
      ) : null}
      {!compact && unavailable.length > 0 ? (
        <ul className="device-reasons" aria-label="Devices not available here">
          {unavailable.map((d) => (
            <li key={d.device}>
              <strong>{d.label}:</strong> {d.reason}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
