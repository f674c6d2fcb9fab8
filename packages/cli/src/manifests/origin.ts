/**
 * A text lint reads, and for rendered output (helm template, kustomize build) where each of its
 * objects was written: a finding about one of them is placed in that file, the one a person
 * edits, instead of in text no file holds.
 */
import type { Path } from '../model/json.js';
import type { SourcePosition } from '../output/errors.js';

export interface Placement {
  /** The file a person edits: its name, and its text for suppression comments and code frames. */
  readonly source: { readonly name: string; readonly text: string };
  readonly position: SourcePosition;
}

export interface SourceOrigin {
  /**
   * Where `path` of the rendered document that starts at offset `documentStart` (its value:
   * `document`) was written, or undefined when no file holds it (the rendered text is the answer).
   */
  place(documentStart: number, document: unknown, path: Path): Placement | undefined;
  /** The texts of the files it places findings in, by name. */
  readonly files: ReadonlyMap<string, string>;
  /**
   * For kustomize output: the kustomization directory rendered. A finding that the renders of
   * several overlays place on one line of a shared base is reported once, naming them.
   */
  readonly renderedBy?: string;
}

export interface SourceText {
  /** As the user should see it: the path they gave (or found under it), or "<stdin>". */
  readonly name: string;
  readonly text: string;
  readonly kind: 'manifest' | 'dockerfile' | 'app-config';
  /** Rendered output: where its objects were written. */
  readonly origin?: SourceOrigin;
}
