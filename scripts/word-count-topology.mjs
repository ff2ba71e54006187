// Prints the quick start's word-count topology (docs/streams.md) as Mermaid, or with --describe as
// the text of topology.describe(). It builds the topology from dist/, through the package's name.
//
// The drawing in docs/images/ is made from it once and committed; test/docs/streams-doc.test.ts
// checks that the .mmd and the describe() text in docs/streams.md still match. To redraw:
//
//   npm run build
//   node scripts/word-count-topology.mjs > docs/images/word-count-topology.mmd
//   # mermaid-cli needs a browser; install both outside the repository (Debian, as root):
//   apt-get install -y chromium
//   mkdir -p /tmp/mmdc && (cd /tmp/mmdc && PUPPETEER_SKIP_DOWNLOAD=1 npm i @mermaid-js/mermaid-cli)
//   echo '{"executablePath":"/usr/bin/chromium","args":["--no-sandbox","--headless","--disable-gpu"]}' > /tmp/mmdc/puppeteer.json
//   # plain SVG text instead of HTML labels (any SVG viewer shows it), names not wrapped:
//   echo '{"htmlLabels":false,"flowchart":{"htmlLabels":false,"wrappingWidth":400}}' > /tmp/mmdc/mermaid.json
//   /tmp/mmdc/node_modules/.bin/mmdc -p /tmp/mmdc/puppeteer.json -c /tmp/mmdc/mermaid.json \
//     -i docs/images/word-count-topology.mmd -o docs/images/word-count-topology.svg
import { StreamsBuilder, Serdes } from 'skein';

// topology:start
const builder = new StreamsBuilder();
builder
  .stream('text-lines', { keySerde: Serdes.String(), valueSerde: Serdes.String() })
  .flatMapValues((line) => line.toLowerCase().split(/\W+/).filter((w) => w.length > 0))
  .groupBy((_key, word) => word, { keySerde: Serdes.String(), valueSerde: Serdes.String() })
  .count({ storeName: 'word-counts' })
  .toStream()
  .to('word-counts', { keySerde: Serdes.String(), valueSerde: Serdes.Long() });
// topology:end

const description = builder.build().describe();
process.stdout.write(process.argv.includes('--describe') ? description.toString() : description.toMermaid());
