import { counter } from '../samples.js';
import type { Reader } from './reader.js';

const CE = counter('node_edac_correctable_errors_total', '', 'Correctable memory errors per memory controller.');
const UE = counter('node_edac_uncorrectable_errors_total', '', 'Uncorrectable memory errors per memory controller.');
const CSROW_CE = counter('node_edac_csrow_correctable_errors_total', '', 'Correctable memory errors per chip-select row (csrow="unknown": no row information).');
const CSROW_UE = counter('node_edac_csrow_uncorrectable_errors_total', '', 'Uncorrectable memory errors per chip-select row (csrow="unknown": no row information).');

export const parseCount = (text: string | undefined) => (text === undefined ? undefined : Number(text.trim()));

/** EDAC memory controllers under /sys/devices/system/edac/mc; machines without ECC or EDAC drivers give nothing. */
export function createEdacReader(): Reader {
  return {
    read({ files, paths, out, obs }) {
      const root = `${paths.sys}/devices/system/edac/mc`;
      const mcs = files.list(root).filter((d) => /^mc\d+$/.test(d));
      if (mcs.length === 0) return;
      obs.memoryControllers = [];
      for (const mc of mcs) {
        const dir = `${root}/${mc}`;
        const controller = mc.slice(2);
        const ce = parseCount(files.read(`${dir}/ce_count`));
        const ue = parseCount(files.read(`${dir}/ue_count`));
        if (ce !== undefined) out.add(CE, { controller }, ce);
        if (ue !== undefined) {
          out.add(UE, { controller }, ue);
          obs.memoryControllers.push({ controller: mc, uncorrectable: ue });
        }
        const ceNoInfo = parseCount(files.read(`${dir}/ce_noinfo_count`));
        const ueNoInfo = parseCount(files.read(`${dir}/ue_noinfo_count`));
        if (ceNoInfo !== undefined) out.add(CSROW_CE, { controller, csrow: 'unknown' }, ceNoInfo);
        if (ueNoInfo !== undefined) out.add(CSROW_UE, { controller, csrow: 'unknown' }, ueNoInfo);
        for (const row of files.list(dir).filter((d) => /^csrow\d+$/.test(d))) {
          const labels = { controller, csrow: row.slice(5) };
          const rce = parseCount(files.read(`${dir}/${row}/ce_count`));
          const rue = parseCount(files.read(`${dir}/${row}/ue_count`));
          if (rce !== undefined) out.add(CSROW_CE, labels, rce);
          if (rue !== undefined) out.add(CSROW_UE, labels, rue);
        }
      }
    },
  };
}
