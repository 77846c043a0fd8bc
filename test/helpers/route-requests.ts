import { routePath, type ApiRoute, type RouteParams, type RouteQuery } from "../../shared/routes";

export interface RouteRequestInit extends Omit<RequestInit, "method" | "headers"> {
  query?: RouteQuery;
  headers?: Record<string, string>;
  /** The bearer token (the default given to routeRequests); null sends no Authorization header. */
  token?: string | null;
}

export type RouteRequest = <P extends string>(route: ApiRoute<P>, params: RouteParams<P>, init?: RouteRequestInit) => Promise<Response>;

/**
 * Requests to the REST API by route, with the paths of shared/routes.ts (so a renamed route
 * breaks the tests that call it): the route's method, its path with the parameters encoded
 * and its query, and a bearer token.
 */
export function routeRequests(baseUrl: () => string, defaultToken: string): RouteRequest {
  return (route, params, init = {}) => {
    const { query, token = defaultToken, headers, ...rest } = init;
    return fetch(`${baseUrl()}${routePath(route, params, query)}`, {
      ...rest,
      method: route.method,
      headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), ...headers },
    });
  };
}

/**
 * A route's path with its parameters sent exactly as given, not encoded: for requests that
 * must carry a malformed escape, a NUL or a slash as the server receives them.
 */
export function rawRoutePath<P extends string>(route: ApiRoute<P>, params: RouteParams<P>): string {
  const raw = params as Readonly<Record<string, string>>;
  const marker = (name: string) => `raw-param-${name}-marker`;
  let path = routePath(route, Object.fromEntries(Object.keys(raw).map((name) => [name, marker(name)])) as RouteParams<P>);
  for (const [name, value] of Object.entries(raw)) path = path.replace(marker(name), () => value);
  return path;
}
