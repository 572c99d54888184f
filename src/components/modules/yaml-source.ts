import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';

/**
 * YAML parsed with the `yaml` package's core schema: plain data only, no custom tags, no code.
 * Keeps the document so a setting's path can be mapped back to its line.
 */
export interface ParsedYaml {
  data: unknown;
  errors: Array<{ line: number; message: string }>;
  /** 1-based line in the file of the key at `path`, or of its nearest existing parent. */
  lineOf(path: ReadonlyArray<PropertyKey>): number;
}

export function parseYaml(text: string, firstLine: number): ParsedYaml {
  const lineCounter = new LineCounter();
  const doc: Document = parseDocument(text, {
    lineCounter,
    schema: 'core',
    customTags: [],
    uniqueKeys: true,
    prettyErrors: false,
  });
  const lineAt = (offset: number) => lineCounter.linePos(offset).line + firstLine - 1;
  const errors = [...doc.errors, ...doc.warnings].map((e) => ({
    line: lineAt(e.pos[0]),
    message: e.message.split('\n')[0] ?? e.message,
  }));
  let data: unknown = null;
  if (doc.errors.length === 0) {
    try {
      // A low alias limit guards against alias bombs ("billion laughs").
      data = doc.toJS({ maxAliasCount: 50 });
    } catch (err) {
      errors.push({ line: firstLine, message: (err as Error).message });
    }
  }

  function lineOf(path: ReadonlyArray<PropertyKey>): number {
    let node: unknown = doc.contents;
    let line = node && (node as Node).range ? lineAt((node as Node).range![0]) : firstLine;
    for (const key of path) {
      if (isMap(node)) {
        const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && String(item.key.value) === String(key));
        if (!pair) return line;
        const keyNode = pair.key as Node;
        if (keyNode.range) line = lineAt(keyNode.range[0]);
        node = pair.value;
      } else if (isSeq(node)) {
        const item = node.items[Number(key)] as Node | undefined;
        if (!item) return line;
        if (item.range) line = lineAt(item.range[0]);
        node = item;
      } else {
        return line;
      }
    }
    return line;
  }

  return { data, errors, lineOf };
}
