import { describe } from 'node:test';
import { dockerfileRuleTester } from '../../testing/rule-tester.js';
import { dockerfileSigtermUnhandled } from './dockerfile-sigterm-unhandled.js';

/** robot-shop's cart service: node:14, the server copied in and started as PID 1. */
const cart = 'FROM node:14\nWORKDIR /opt/server\nCOPY server.js /opt/server/\nCMD ["node", "server.js"]\n';
const express = "const app = require('express')();\napp.listen(8080);\n";
/** The Kubernetes dashboard's api: a Go binary built in one stage, run from scratch. */
const go =
  'FROM golang:1.24 AS builder\nCOPY . .\nRUN go build -o /dashboard-api .\nFROM scratch\nENTRYPOINT ["/dashboard-api"]\nCOPY --from=builder /dashboard-api /dashboard-api\n';
const goServer = 'func main() { http.ListenAndServe(":8000", nil) }\n';

describe('dockerfile-sigterm-unhandled', () => {
  dockerfileRuleTester(dockerfileSigtermUnhandled, {
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
        name: 'tini passes SIGTERM on to a server that handles it',
        dockerfile: cart.replace('CMD', 'ENTRYPOINT ["tini", "--"]\nCMD'),
        sources: { 'server.js': `${express}process.on('SIGTERM', () => server.close());\n` },
      },
      {
        name: "npm start on Debian: dash keeps SIGTERM from the app (dockerfile-package-manager-pid1's finding)",
        dockerfile: 'FROM node:20\nCOPY . .\nCMD ["npm", "start"]\n',
        sources: { 'package.json': '{"scripts": {"start": "node server.js"}}', 'server.js': express },
      },
      {
        name: 'a Go server that handles SIGTERM through os/signal',
        dockerfile: go,
        sources: {
          'go.mod': 'module api\n',
          'main.go': `import (\n  "net/http"\n  "os/signal"\n)\n${goServer}ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)\n`,
        },
      },
      {
        name: 'a Go server that asks for every signal (signal.Notify with no list)',
        dockerfile: go,
        sources: { 'go.mod': 'module api\n', 'main.go': `${goServer}signal.Notify(quit)\n` },
      },
      {
        name: "a shell from the system's directories is no Go binary (the dashboard's dev image)",
        dockerfile: 'FROM golang:1.24\nCOPY . .\nENTRYPOINT ["/bin/sh", "-c", "go run ."]\n',
        sources: { 'go.mod': 'module api\n', 'main.go': `import "net/http"\n${goServer}` },
      },
      {
        name: "a Python client that serves nothing (Dapr's hello-kubernetes python app, a loop posting orders): no request to cut",
        dockerfile: 'FROM python:3.12-slim\nCOPY . /app\nWORKDIR /app\nCMD ["python", "app.py"]\n',
        sources: {
          'app.py':
            'import requests, time\nwhile True:\n    requests.post(url, json=order)\n    time.sleep(1)\n',
        },
      },
      {
        name: 'a Go server that hands its Shutdown to a graceful wrapper (ory/graceful), naming no signal itself',
        dockerfile: go,
        sources: {
          'go.mod': 'module api\n',
          'main.go':
            'import "net/http"\nfunc main() { graceful.Graceful(server.ListenAndServe, server.Shutdown) }\n',
        },
      },
      {
        name: 'a Go worker that serves nothing: no requests to cut',
        dockerfile: go,
        sources: { 'go.mod': 'module api\n', 'main.go': 'func main() { for { work() } }\n' },
      },
      { name: 'the entry file is not in the build context (built output)', dockerfile: cart },
      {
        name: 'python served by uvicorn from its entry file: uvicorn drains on SIGTERM',
        dockerfile: 'FROM python:3.12-slim\nCOPY main.py /app/\nWORKDIR /app\nCMD ["python", "main.py"]\n',
        sources: { 'main.py': 'import uvicorn\nuvicorn.run("api:app", host="0.0.0.0")\n' },
      },
      {
        name: 'python -m another module: no entry file of the app to read',
        dockerfile: 'FROM python:3.12-slim\nCOPY . /app\nCMD ["python", "-m", "myapp.server"]\n',
        sources: { 'myapp/server.py': 'from flask import Flask\napp = Flask(__name__)\napp.run()\n' },
      },
    ],
    invalid: [
      {
        name: "python -m flask run as PID 1 (skaffold's hot-reload example): Flask's development server installs no SIGTERM handler",
        dockerfile:
          'FROM python:3.9-alpine\nCOPY . /app\nWORKDIR /app\nCMD ["python", "-m", "flask", "run", "--host=0.0.0.0"]\n',
        sources: { 'app.py': 'from flask import Flask\napp = Flask(__name__)\n' },
        findings: [
          {
            line: 4,
            messageId: 'sigtermDropped',
            data: { runtime: 'python', entry: '-m flask run', sourcesRead: 1 },
          },
        ],
      },
      {
        name: "node as PID 1, and nothing in the context names SIGTERM (robot-shop's cart)",
        dockerfile: cart,
        sources: { 'server.js': express },
        findings: [
          {
            line: 4,
            messageId: 'sigtermDropped',
            data: { runtime: 'node', entry: 'server.js', sourcesRead: 1 },
            fix: /\["node", "--import", "@lameduck\/node\/register", "server\.js"\]/,
          },
        ],
      },
      {
        name: "python as PID 1 (GKE's whereami: ENTRYPOINT python, CMD app.py), a Flask server with no handler",
        dockerfile:
          'FROM python:3.12-slim\nCOPY . /app\nWORKDIR /app\nENTRYPOINT ["python"]\nCMD ["app.py"]\n',
        sources: {
          'app.py': 'from flask import Flask\napp = Flask(__name__)\napp.run(host="0.0.0.0", port=8080)\n',
        },
        findings: [
          {
            line: 4,
            messageId: 'sigtermDropped',
            data: { runtime: 'python', entry: 'app.py' },
            fix: /signal\.signal\(signal\.SIGTERM, \.\.\.\).*or serve with gunicorn or uvicorn/,
          },
        ],
      },
      {
        name: "an absolute entry path where COPY . . put the context under WORKDIR (DigitalOcean's recommendationservice)",
        dockerfile:
          'FROM python:3.7-slim\nWORKDIR /recommendationservice\nCOPY . .\nENTRYPOINT ["python", "/recommendationservice/recommendation_server.py"]\n',
        sources: {
          'recommendation_server.py':
            'import grpc, time\nserver = grpc.server(None)\nserver.start()\nwhile True:\n    time.sleep(10000)\n',
        },
        findings: [
          {
            line: 4,
            messageId: 'sigtermDropped',
            data: { entry: '/recommendationservice/recommendation_server.py' },
          },
        ],
      },
      {
        name: 'tini passes SIGTERM on and node, with no handler, exits at once',
        dockerfile: cart.replace('CMD', 'ENTRYPOINT ["tini", "--"]\nCMD'),
        sources: { 'server.js': express },
        findings: [
          {
            line: 4,
            messageId: 'exitsAtOnce',
            data: { runtime: 'node', through: ' from tini, which passes it on,' },
          },
        ],
      },
      {
        name: 'npm start on Alpine (hello-kubernetes): npm and busybox pass SIGTERM to node, which exits at once',
        dockerfile: 'FROM node:16-alpine\nCOPY . .\nCMD ["npm", "start"]\n',
        sources: { 'package.json': '{"scripts": {"start": "node server.js"}}', 'server.js': express },
        findings: [
          {
            line: 3,
            messageId: 'exitsAtOnce',
            data: { entry: 'server.js' },
            fix: /ENV NODE_OPTIONS="--import @lameduck\/node\/register"/,
          },
        ],
      },
      {
        name: "a Go server with no signal handling (the Kubernetes dashboard's api): Go's runtime exits at once on SIGTERM",
        dockerfile: go,
        sources: { 'go.mod': 'module api\n', 'main.go': `import "net/http"\n${goServer}` },
        findings: [
          {
            line: 5,
            messageId: 'exitsAtOnce',
            data: { runtime: 'go', entry: '/dashboard-api' },
            fix: /signal\.NotifyContext.*server\.Shutdown/,
          },
        ],
      },
      {
        name: "a Go server that catches only SIGINT (KubeRay's API server): SIGTERM still ends it at once",
        dockerfile: go,
        sources: {
          'go.mod': 'module api\n',
          'main.go': `import (\n  "net/http"\n  "os/signal"\n)\n${goServer}signal.Notify(quit, os.Interrupt)\n`,
        },
        findings: [{ line: 5, messageId: 'exitsAtOnce' }],
      },
    ],
  });
});
