// Types for test-tools.mjs, so that tests written in TypeScript can read the same table.
export interface TestTool {
  command: string;
  package: string;
  /** How to tell it is there, when being on PATH is not enough. */
  present?: () => boolean;
}
export const TEST_TOOLS: readonly TestTool[];
export function which(command: string, searchPath?: string): string | undefined;
export function missingTools(tools?: readonly TestTool[]): TestTool[];
export function ensureTestTools(options?: {
  tools?: readonly TestTool[];
  isRoot?: boolean;
  log?: (message: string) => void;
}): string | undefined;
