// Reads through openapi-fetch, typed by the paths openapi-typescript generates from openapi.yaml: no casts.
// `npm run check` (tsc, strict) fails if a JSON list is typed as anything but its page (a second 200 content type,
// text/csv, once made `data` a string: TS2339 'results' does not exist on type 'string').
import createClient from "openapi-fetch";
import type { paths } from "./build/schema";

export function registry(baseUrl: string) {
  return createClient<paths>({ baseUrl });
}

export async function appointmentHolders(baseUrl: string, organization: string, asOf?: string): Promise<string[]> {
  const { data, error } = await registry(baseUrl).GET("/api/v1/appointments/", {
    params: { query: { organization, as_of: asOf, role: ["head"] } },
  });
  if (error) {
    throw new Error(`${error.status} ${error.code}: ${error.detail}`);
  }
  return data.results.map((appointment) => appointment.person.name);
}

export async function appointmentsCsv(baseUrl: string, organization: string): Promise<string> {
  // The export is its own operation: text, with the list's filters.
  const { data, error } = await registry(baseUrl).GET("/api/v1/exports/appointments.csv", {
    params: { query: { organization }, header: { "Accept-Language": "vi" } },
    parseAs: "text",
  });
  if (error) {
    throw new Error(`${error.status} ${error.code}`);
  }
  return data;
}

// Run against a registry: `npm run --silent fetch -- <base-url>` (compiled to build/run/, then run by node).
declare const process: { argv: string[] };
const baseUrl = process.argv[2];
if (baseUrl) {
  const names = await appointmentHolders(baseUrl, "ubnd-tp-hcm", "2024-12-13");
  if (JSON.stringify(names) !== JSON.stringify(["Phan Văn Mãi"])) {
    throw new Error(`the chairman on 2024-12-13: ${JSON.stringify(names)}`);
  }
  console.log(`ok   openapi-fetch reads \`results\` of the appointments list: ${names.join(", ")}`);
  const csv = await appointmentsCsv(baseUrl, "ubnd-tp-hcm");
  if (!csv.split("\n")[0]?.includes("Người (mã)")) {
    throw new Error(`the CSV export's header: ${csv.split("\n")[0]}`);
  }
  console.log("ok   and the CSV export as text, with Vietnamese headers");
}
