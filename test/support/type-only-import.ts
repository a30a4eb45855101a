// Whether an import brings in only types: such an import is erased from the JavaScript, so it
// loads nothing and carries no I/O (the architecture and phase-tree tests both rely on this).
import ts from 'typescript';

export function importsOnlyTypes(node: ts.ImportDeclaration): boolean {
  const clause = node.importClause;
  const named = clause?.namedBindings;
  return (
    clause !== undefined &&
    (clause.isTypeOnly ||
      (clause.name === undefined &&
        named !== undefined &&
        ts.isNamedImports(named) &&
        named.elements.length > 0 &&
        named.elements.every((e) => e.isTypeOnly)))
  );
}
