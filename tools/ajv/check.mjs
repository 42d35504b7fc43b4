// Compiles every schema in schemas/v1 with ajv in strict mode (draft 2020-12, formats on) and checks the labelled
// examples: each one in schemas/examples/valid must pass its kind's schema, each one in schemas/examples/invalid must
// fail it, every agreement file and boundary file must pass theirs. Prints one line per problem; exits 0 when there are
// none, 1 when there are, 2 when it could not run.
import { readFileSync, readdirSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const schemaDir = join(root, "schemas", "v1");
const read = (file) => JSON.parse(readFileSync(file, "utf8"));
const problems = [];

const ajv = new Ajv2020({ strict: true, allErrors: true });
addFormats(ajv);
const schemas = {};
for (const file of readdirSync(schemaDir).filter((f) => f.endsWith(".schema.json")).sort()) {
  const schema = read(join(schemaDir, file));
  schemas[file.replace(".schema.json", "")] = schema;
  ajv.addSchema(schema);
}
const compiled = {};
for (const [name, schema] of Object.entries(schemas)) {
  try {
    compiled[name] = ajv.getSchema(schema.$id);
  } catch (e) {
    problems.push(`schemas/v1/${name}.schema.json does not compile in strict mode: ${e.message}`);
  }
}

const check = (label, schemaName, document, expectValid) => {
  const validate = compiled[schemaName];
  if (!validate) {
    problems.push(`${label}: no schema '${schemaName}'`);
    return;
  }
  const ok = validate(document);
  if (ok !== expectValid)
    problems.push(`${label}: expected ${expectValid ? "valid" : "invalid"} under ${schemaName}, ajv says ${ok ? "valid" : "invalid: " + ajv.errorsText(validate.errors)}`);
};

let examples = 0;
for (const folder of ["valid", "invalid"]) {
  const dir = join(root, "schemas", "examples", folder);
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".json") && !f.endsWith(".expect.json")).sort()) {
    const wrapper = read(join(dir, file));
    const kind = wrapper.document && typeof wrapper.document === "object" ? wrapper.document.kind : undefined;
    // Examples that fail before a kind's schema is chosen (no kind, unknown kind, not an object) are the catalog's
    // concern, not a schema's.
    if (folder === "invalid" && !(typeof kind === "string" && kind in compiled)) continue;
    check(`schemas/examples/${folder}/${file}`, kind, wrapper.document, folder === "valid");
    examples++;
  }
}
for (const file of readdirSync(join(root, "agreements")).filter((f) => f.endsWith(".json")).sort()) {
  check(`agreements/${file}`, "agreement", read(join(root, "agreements", file)), true);
  examples++;
}
for (const file of readdirSync(join(root, "agreements", "boundaries")).filter((f) => f.endsWith(".json")).sort()) {
  check(`agreements/boundaries/${file}`, "boundary", read(join(root, "agreements", "boundaries", file)), true);
  examples++;
}

for (const p of problems) console.log(p);
console.log(`${Object.keys(compiled).length} schemas compiled in strict mode, ${examples} documents checked, ${problems.length} problem(s)`);
process.exit(problems.length === 0 ? 0 : 1);
