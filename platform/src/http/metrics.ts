import { Registry, Counter, Gauge, Histogram, collectDefaultMetrics } from 'prom-client';

/** One Prometheus registry per process; every service labels its series with `service`. */
export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry });

export const httpRequests = new Counter({
  name: 'argus_http_requests_total',
  help: 'HTTP requests handled, by service, route and status',
  labelNames: ['service', 'route', 'status'] as const,
  registers: [metricsRegistry],
});

export const httpDuration = new Histogram({
  name: 'argus_http_request_duration_seconds',
  help: 'HTTP request duration, by service and route',
  labelNames: ['service', 'route'] as const,
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  registers: [metricsRegistry],
});

export const graphqlOperations = new Counter({
  name: 'argus_graphql_operations_total',
  help: 'GraphQL operations executed, by service, type and outcome',
  labelNames: ['service', 'type', 'outcome'] as const,
  registers: [metricsRegistry],
});

export const activeSubscriptions = new Histogram({
  name: 'argus_graphql_subscription_duration_seconds',
  help: 'Lifetime of GraphQL subscriptions, by service',
  labelNames: ['service'] as const,
  buckets: [1, 10, 60, 600, 3600, 86400],
  registers: [metricsRegistry],
});

export const talkSessionsActive = new Gauge({
  name: 'argus_talk_sessions_active',
  help: 'Talk sessions open on this media node, by transport',
  labelNames: ['transport'] as const,
  registers: [metricsRegistry],
});

export const talkSessionsEnded = new Counter({
  name: 'argus_talk_sessions_ended_total',
  help: 'Talk sessions ended on this media node, by transport and whether they had started',
  labelNames: ['transport', 'started'] as const,
  registers: [metricsRegistry],
});
