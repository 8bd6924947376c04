export interface RouteLike {
  method: string;
  path: string;
}

/**
 * Finds the route for a request the way API Gateway does for these routes:
 * exact method, literal segments equal, `{name}` segments match one segment.
 */
export function matchRoute<R extends RouteLike>(
  routes: readonly R[],
  method: string,
  path: string,
): { route: R; pathParameters: Record<string, string> } | undefined {
  const segments = splitPath(path);
  for (const route of routes) {
    if (route.method !== method) continue;
    const pattern = splitPath(route.path);
    if (pattern.length !== segments.length) continue;
    const pathParameters: Record<string, string> = {};
    const matches = pattern.every((part, index) => {
      const segment = segments[index] ?? '';
      const param = /^\{(\w+)\}$/.exec(part)?.[1];
      if (param) {
        pathParameters[param] = safeDecode(segment);
        return segment.length > 0;
      }
      return part === segment;
    });
    if (matches) return { route, pathParameters };
  }
  return undefined;
}

const splitPath = (path: string) => path.split('/').filter((segment) => segment !== '');

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
