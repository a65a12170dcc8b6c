// Preloaded into a measured child (`node --import ./bench/rss-report.mjs …`): on exit, writes the
// process's peak resident set size and CPU time to $BENCH_RSS_FILE, whatever the program did.
import { writeFileSync } from 'node:fs';

const file = process.env.BENCH_RSS_FILE;
if (file !== undefined && file !== '') {
  process.on('exit', () => {
    const u = process.resourceUsage();
    // maxRSS is in kilobytes.
    writeFileSync(file, JSON.stringify({ maxRssBytes: u.maxRSS * 1024, cpuMs: (u.userCPUTime + u.systemCPUTime) / 1000 }));
  });
}
