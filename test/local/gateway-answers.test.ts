import { GATEWAY_ANSWERS, gatewayErrorBody } from '../../lib/constructs/gateway-answers';
import { gatewayAnswer, requestTime } from '../../lib/local/gateway-answers';

/** The local server's stand-ins for what the deployed stage answers itself, from the same templates. */
describe('gatewayAnswer', () => {
  const at = new Date('2026-12-02T09:05:07.123Z');
  const throttled = GATEWAY_ANSWERS.find((a) => a.id === 'Throttled')!;

  test('requestTime is API Gateway\'s $context.requestTime format', () => {
    expect(requestTime(at)).toBe('02/Dec/2026:09:05:07 +0000');
    expect(requestTime(new Date('2027-01-31T23:59:59Z'))).toBe('31/Jan/2027:23:59:59 +0000');
  });

  test('the IIC profile\'s 429: the deployed template with its variables substituted, IIC\'s error shape, its Retry-After', () => {
    const answer = gatewayAnswer('aws-iam-identity-center', 'Throttled', { requestId: 'req-1', at, message: 'Too Many Requests' });
    const template = gatewayErrorBody('aws-iam-identity-center', throttled.status, throttled.detail);
    expect(answer.body).toBe(template.replace('$context.requestId', 'req-1').replace('$context.requestTime', '02/Dec/2026:09:05:07 +0000').replace('$context.error.messageString', '"Too Many Requests"'));
    expect(JSON.parse(answer.body)).toEqual({
      schema: ['urn:ietf:params:scim:api:messages:2.0:Error'],
      schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
      detail: 'Too Many Requests',
      status: '429',
      exceptionRequestId: 'req-1',
      timeStamp: '02/Dec/2026:09:05:07 +0000',
    });
    expect(answer).toMatchObject({ statusCode: 429, headers: { 'Content-Type': 'application/json', ...throttled.headers } });
  });

  test('the default profile\'s 429 is the RFC 7644 body, application/scim+json', () => {
    const answer = gatewayAnswer('rfc', 'Throttled', { requestId: 'req-2', at, message: 'Too Many Requests' });
    expect(JSON.parse(answer.body)).toEqual({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '429', detail: 'Too Many Requests' });
    expect(answer.headers).toMatchObject({ 'Content-Type': 'application/scim+json' });
  });

  test('an answer the stage does not give is a programming error', () => {
    expect(() => gatewayAnswer('rfc', 'NoSuchAnswer', { requestId: 'r', at })).toThrow(/No gateway answer/);
  });
});
