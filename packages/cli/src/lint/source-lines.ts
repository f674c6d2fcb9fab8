/** Files split into lines once, however many findings point into them (a large input has thousands). */
export class SourceLines {
  private readonly byFile = new Map<string, readonly string[]>();

  of(file: string, text: string): readonly string[] {
    let lines = this.byFile.get(file);
    if (!lines) {
      lines = text.split('\n');
      this.byFile.set(file, lines);
    }
    return lines;
  }
}
