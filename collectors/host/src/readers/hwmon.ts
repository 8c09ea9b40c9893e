import { gauge, type MetricDef } from '../samples.js';
import type { SensorKind, SensorReading } from '../observations.js';
import type { Reader } from './reader.js';

/** Per sensor kind: the divisor from sysfs units (millidegrees, millivolts, rpm) and a definition per attribute. */
const KINDS: Record<SensorKind, { divisor: number; defs: Record<string, MetricDef> }> = {
  temp: {
    divisor: 1000,
    defs: {
      input: gauge('node_hwmon_temp_celsius', 'celsius', 'Temperature.'),
      max: gauge('node_hwmon_temp_max_celsius', 'celsius', 'Temperature high limit.'),
      crit: gauge('node_hwmon_temp_crit_celsius', 'celsius', 'Temperature critical limit.'),
      crit_hyst: gauge('node_hwmon_temp_crit_hyst_celsius', 'celsius', 'Temperature below which the critical alarm clears in hardware.'),
    },
  },
  in: {
    divisor: 1000,
    defs: {
      input: gauge('node_hwmon_in_volts', 'volts', 'Voltage.'),
      min: gauge('node_hwmon_in_min_volts', 'volts', 'Voltage low limit.'),
      max: gauge('node_hwmon_in_max_volts', 'volts', 'Voltage high limit.'),
      lcrit: gauge('node_hwmon_in_lcrit_volts', 'volts', 'Voltage critical low limit.'),
      crit: gauge('node_hwmon_in_crit_volts', 'volts', 'Voltage critical high limit.'),
    },
  },
  fan: {
    divisor: 1,
    defs: {
      input: gauge('node_hwmon_fan_rpm', 'rpm', 'Fan speed.'),
      min: gauge('node_hwmon_fan_min_rpm', 'rpm', 'Fan minimum speed: slower is a failing fan.'),
    },
  },
};
const ATTR = /^(temp|in|fan)(\d+)_(input|min|max|lcrit|crit|crit_hyst|label)$/;

export interface ChipSensor {
  kind: SensorKind;
  /** `temp1`, `in0`, `fan2`: the attribute stem. */
  stem: string;
  /** Attribute name to its sysfs file name, label excepted. */
  attrs: Map<string, string>;
  hasLabel: boolean;
}

/** Groups a chip directory's file names into sensors; a sensor without `_input` is not a reading and is dropped. */
export function chipSensors(fileNames: readonly string[]): ChipSensor[] {
  const byStem = new Map<string, ChipSensor>();
  for (const name of fileNames) {
    const m = ATTR.exec(name);
    if (!m) continue;
    const stem = m[1]! + m[2]!;
    let s = byStem.get(stem);
    if (!s) byStem.set(stem, (s = { kind: m[1] as SensorKind, stem, attrs: new Map(), hasLabel: false }));
    if (m[3] === 'label') s.hasLabel = true;
    else s.attrs.set(m[3]!, name);
  }
  return [...byStem.values()].filter((s) => s.attrs.has('input')).sort((a, b) => a.stem.localeCompare(b.stem, 'en', { numeric: true }));
}

/** Turns one sensor's raw attribute texts into a reading in base units (undefined when the input does not parse). */
export function sensorReading(chip: string, s: ChipSensor, label: string | undefined, raw: (attr: string) => string | undefined): { reading: SensorReading; values: Map<string, number> } | undefined {
  const { divisor } = KINDS[s.kind];
  const values = new Map<string, number>();
  for (const attr of s.attrs.keys()) {
    const text = raw(attr);
    const v = text === undefined ? NaN : Number(text.trim()) / divisor;
    if (Number.isFinite(v)) values.set(attr, v);
  }
  const value = values.get('input');
  if (value === undefined) return undefined;
  const reading: SensorReading = { chip, sensor: label?.trim() || s.stem, kind: s.kind, value };
  const crit = values.get('crit');
  const low = s.kind === 'fan' ? values.get('min') : values.get('lcrit');
  if (crit !== undefined && crit > 0) reading.crit = crit;
  if (low !== undefined && low > 0) reading.lcrit = low;
  return { reading, values };
}

/** Temperatures, voltages and fans of every hwmon chip; a machine without hwmon (a VM) gives nothing. */
export function createHwmonReader(): Reader {
  return {
    read({ files, paths, out, obs }) {
      const root = `${paths.sys}/class/hwmon`;
      const dirs = files.list(root).filter((d) => d.startsWith('hwmon'));
      if (dirs.length === 0) return;
      const chips: { dir: string; name: string; hwmon: string }[] = [];
      for (const d of dirs) {
        // Old drivers keep the attributes one level down, under device/.
        let dir = `${root}/${d}`;
        let name = files.read(`${dir}/name`);
        if (name === undefined) name = files.read(`${(dir = `${dir}/device`)}/name`);
        if (name !== undefined) chips.push({ dir, name: name.trim(), hwmon: d });
      }
      // Two chips can share a driver name (two NVMe drives): the hwmon index tells them apart.
      const count = new Map<string, number>();
      for (const c of chips) count.set(c.name, (count.get(c.name) ?? 0) + 1);
      obs.sensors = [];
      for (const c of chips) {
        const chip = count.get(c.name)! > 1 ? `${c.name}_${c.hwmon}` : c.name;
        for (const s of chipSensors(files.list(c.dir))) {
          const label = s.hasLabel ? files.read(`${c.dir}/${s.stem}_label`) : undefined;
          const r = sensorReading(chip, s, label, (attr) => files.read(`${c.dir}/${s.attrs.get(attr)}`));
          if (!r) continue;
          const labels = { chip, sensor: r.reading.sensor };
          for (const [attr, v] of r.values) {
            const def = KINDS[s.kind].defs[attr];
            if (def) out.add(def, labels, v);
          }
          obs.sensors.push(r.reading);
        }
      }
    },
  };
}
