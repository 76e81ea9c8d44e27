// A small registry client typed by the types openapi-typescript generates from openapi.yaml.
// `npm run check` fails when the contract and this code disagree (a renamed field, a changed parameter type).
import type { components, operations, paths } from "./build/schema";

type Chart = components["schemas"]["Chart"];
// A list gives each post in its list form: the nested collections (sources) only with ?expand=.
type PostListItem = components["schemas"]["PostListItem"];
type ErrorBody = components["schemas"]["Error"];
type PostsQuery = NonNullable<operations["posts_list"]["parameters"]["query"]>;
type AppointRequest = components["schemas"]["AppointInputRequest"];

const chartPath: keyof paths = "/api/v1/organizations/{slug}/chart/";

export class RegistryClient {
  constructor(
    private readonly baseUrl: string,
    private readonly apiKey?: string,
  ) {}

  private async get<T>(path: string, query: Record<string, string | string[] | number | boolean | undefined> = {}): Promise<T> {
    const url = new URL(path, this.baseUrl);
    for (const [name, value] of Object.entries(query)) {
      for (const item of Array.isArray(value) ? value : value === undefined ? [] : [value]) {
        url.searchParams.append(name, String(item));
      }
    }
    const response = await fetch(url, { headers: this.headers() });
    if (!response.ok) {
      const error = (await response.json()) as ErrorBody;
      throw new Error(`${error.status} ${error.code}: ${error.errors.map((e) => `${e.field ?? "-"} ${e.message}`).join("; ")}`);
    }
    return (await response.json()) as T;
  }

  private headers(): Record<string, string> {
    return this.apiKey ? { Authorization: `Api-Key ${this.apiKey}`, Accept: "application/json" } : { Accept: "application/json" };
  }

  chart(slug: string, asOf?: string): Promise<Chart> {
    return this.get<Chart>(chartPath.replace("{slug}", encodeURIComponent(slug)), { as_of: asOf });
  }

  async headOf(organization: string, asOf?: string): Promise<string[]> {
    const query: PostsQuery = { organization, role: ["head"], as_of: asOf };
    const page = await this.get<components["schemas"]["PaginatedPostList"]>("/api/v1/posts/", query);
    return page.results.flatMap((post: PostListItem) => post.holders.map((holder) => holder.person.name));
  }

  appointBody(person: string, startDate: string): AppointRequest {
    return { person, start_date: startDate, start_date_precision: "exact", sources: [] };
  }
}

export async function unknownMemberSeats(client: RegistryClient): Promise<number | null> {
  // The members are unnamed in the sources: unknown seats, not vacant ones (vacant_seats counts stated vacancies).
  const chart = await client.chart("ban-chi-dao-tp-hcm-ve-hoi-nhap-quoc-te");
  const members = chart.posts.find((post) => post.role === "member");
  return members ? members.unknown_seats : null;
}
