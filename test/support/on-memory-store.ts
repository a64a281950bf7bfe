// The jest project "memory store" (jest.config.js): startTestServer serves SCIM_STORE=memory's store.
process.env.SCIM_TEST_STORE = 'memory';
