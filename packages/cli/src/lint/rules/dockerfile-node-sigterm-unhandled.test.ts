import { describe } from 'node:test';
import { dockerfileRuleTester } from '../../testing/rule-tester.js';
import { dockerfileNodeSigtermUnhandled } from './dockerfile-node-sigterm-unhandled.js';

/** robot-shop's cart service: node:14, the server copied in and started as PID 1. */
const cart = 'FROM node:14\nWORKDIR /opt/server\nCOPY server.js /opt/server/\nCMD ["node", "server.js"]\n';
const express = "const app = require('express')();\napp.listen(8080);\n";

describe('dockerfile-node-sigterm-unhandled', () => {
  dockerfileRuleTester(dockerfileNodeSigtermUnhandled, {
    valid: [
      {
        name: 'the server handles SIGTERM',
        dockerfile: cart,
        sources: { 'server.js': `${express}process.on('SIGTERM', () => server.close());\n` },
      },
      {
        name: 'a shutdown library handles it (terminus), in another file of the context',
        dockerfile: cart,
        sources: { 'server.js': express, 'lib/shutdown.js': "require('@godaddy/terminus');\n" },
      },
      {
        name: 'the lameduck preload is loaded first',
        dockerfile: cart.replace(
          '["node", "server.js"]',
          '["node", "--import", "@lameduck/node/register", "server.js"]',
        ),
        sources: { 'server.js': express },
      },
      {
        name: 'tini is PID 1 and passes SIGTERM on',
        dockerfile: cart.replace('CMD', 'ENTRYPOINT ["tini", "--"]\nCMD'),
        sources: { 'server.js': express },
      },
      { name: 'the entry file is not in the build context (built output)', dockerfile: cart },
    ],
    invalid: [
      {
        name: "node as PID 1, and nothing in the context names SIGTERM (robot-shop's cart)",
        dockerfile: cart,
        sources: { 'server.js': express },
        findings: [
          {
            line: 4,
            messageId: 'sigtermDropped',
            data: { entry: 'server.js', sourcesRead: 1 },
            fix: /\["node", "--import", "@lameduck\/node\/register", "server\.js"\]/,
          },
        ],
      },
    ],
  });
});
