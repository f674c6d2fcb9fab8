import { describe } from 'node:test';
import { dockerfileRuleTester } from '../../testing/rule-tester.js';
import { dockerfileShellForm } from './dockerfile-shell-form.js';

describe('dockerfile-shell-form', () => {
  dockerfileRuleTester(dockerfileShellForm, {
    valid: [
      {
        name: "shell form whose last command is exec'd",
        dockerfile: 'FROM python:3.12\nCMD ./migrate && exec gunicorn -b 0.0.0.0:$PORT app:app\n',
      },
      { name: 'exec form', dockerfile: 'FROM node:20\nCMD ["node", "server.js"]\n' },
      {
        name: 'an exec-form shell that execs its last command',
        dockerfile: 'FROM alpine\nENTRYPOINT ["sh", "-c", "envsubst < t > c && exec envoy -c c"]\n',
      },
      {
        name: 'an exec-form bash running one command (bash execs it)',
        dockerfile: 'FROM debian\nCMD ["bash", "-c", "server --port 80"]\n',
      },
      {
        name: 'an exec-form sh on Alpine running one command: busybox execs it',
        dockerfile: 'FROM alpine\nENTRYPOINT ["sh", "-c", "./usr/local/bin/currency $CURRENCY_PORT"]\n',
      },
      {
        name: 'shell-form CMD on Alpine, a sequence: busybox execs the last command',
        dockerfile: 'FROM node:20-alpine\nCMD ./migrate && node server.js\n',
      },
      {
        name: 'shell-form CMD on a stage that starts from Alpine',
        dockerfile: 'FROM node:20-alpine AS base\nFROM base\nCMD node server.js\n',
      },
      {
        name: 'shell-form CMD on UBI, whose /bin/sh is bash',
        dockerfile: 'FROM registry.access.redhat.com/ubi9/ubi-minimal\nCMD ./server --port 8080\n',
      },
      {
        name: 'shell form only in an earlier stage',
        dockerfile: 'FROM node:20 AS build\nCMD npm test\nFROM node:20\nCMD ["node", "server.js"]\n',
      },
    ],
    invalid: [
      {
        name: "an exec-form shell whose last command is not exec'd (the OpenTelemetry demo's frontend-proxy)",
        dockerfile:
          'FROM envoyproxy/envoy:v1.34\nENTRYPOINT ["/bin/sh", "-c", "envsubst < envoy.tmpl.yaml > envoy.yaml && envoy -c envoy.yaml;"]\n',
        findings: [
          {
            line: 2,
            messageId: 'execFormShell',
            data: {
              keyword: 'ENTRYPOINT',
              reason:
                'unless /bin/sh is busybox (Alpine) or bash, which exec the last command, it is dash (Debian, Ubuntu), which does not: the shell stays PID 1 and does not forward SIGTERM to the app',
            },
            fix: /^exec the last command, so the shell becomes the app: ENTRYPOINT \["\/bin\/sh","-c","envsubst < envoy.tmpl.yaml > envoy.yaml && exec envoy -c envoy.yaml"\]$/,
          },
        ],
      },
      {
        name: 'an exec-form sh on Debian running one command: dash does not exec it',
        dockerfile: 'FROM debian:12\nENTRYPOINT ["sh", "-c", "./usr/local/bin/currency $CURRENCY_PORT"]\n',
        findings: [
          {
            line: 2,
            messageId: 'execFormShell',
            data: {
              keyword: 'ENTRYPOINT',
              reason:
                'sh is dash in debian:12, which does not exec even the last command: the shell stays PID 1 and does not forward SIGTERM to the app',
            },
          },
        ],
      },
      {
        name: 'shell-form CMD on a Debian image',
        dockerfile: 'FROM node:20-slim\nCOPY . .\nCMD node server.js\n',
        output: 'FROM node:20-slim\nCOPY . .\nCMD ["node", "server.js"]\n',
        findings: [
          {
            line: 3,
            messageId: 'shellIsPid1',
            message: /runs as \/bin\/sh -c "node server\.js", PID 1: \/bin\/sh is dash in node:20-slim/,
            fix: /^use the exec form: CMD \["node","server\.js"\]; for a Node app, .*@lameduck\/node\/register/,
          },
        ],
      },
      {
        name: 'a variable, a redirection and a sequence: exec the last command, not the exec form',
        dockerfile: 'FROM python:3.12\nCMD ./migrate && gunicorn -b 0.0.0.0:$PORT app:app 2>&1\n',
        findings: [
          {
            line: 2,
            messageId: 'shellIsPid1',
            message: /runs as \/bin\/sh -c/,
            fix: /^keep the shell form and exec the last command, so the shell expands it and then becomes the app: CMD \.\/migrate && exec gunicorn -b 0\.0\.0\.0:\$PORT app:app 2>&1$/,
          },
        ],
      },
      {
        name: 'a quoted ";" is part of a word: the hint execs nginx, not the closing quote',
        dockerfile: 'FROM debian:12\nCMD ./migrate && nginx -g "daemon off;"\n',
        findings: [
          {
            line: 2,
            messageId: 'shellIsPid1',
            fix: /^keep the shell form and exec the last command, so the shell expands it and then becomes the app: CMD \.\/migrate && exec nginx -g "daemon off;"$/,
          },
        ],
      },
      {
        name: 'a pipeline: an entrypoint script',
        dockerfile: 'FROM python:3.12\nCMD gunicorn app:app | tee /var/log/app.log\n',
        findings: [{ line: 2, messageId: 'shellIsPid1', fix: /^a pipeline keeps the shell as PID 1/ }],
      },
      {
        name: 'shell-form ENTRYPOINT wins over an exec CMD',
        dockerfile: 'FROM ubuntu:24.04\nENTRYPOINT myapp --flag\nCMD ["x"]\n',
        findings: [
          {
            line: 2,
            messageId: 'shellIsPid1',
            data: { command: 'myapp --flag' },
            fix: { not: /@lameduck\/node/ },
          },
        ],
      },
      {
        name: 'a load generator started by a shell (locust, as bank-of-anthos runs it): said at info, it serves no request',
        dockerfile:
          'FROM python:3.12-slim\nENTRYPOINT locust --host="http://$FRONTEND_ADDR" --headless --users="$USERS" 2>&1\n',
        findings: [
          {
            line: 2,
            severity: 'info',
            messageId: 'loadGenerator',
            data: { program: 'locust' },
            message: /a load generator serves no request, so each stop costs only that wait$/,
          },
        ],
      },
      {
        name: 'an exec form that is not valid JSON (a stray bracket, eShopOnContainers): Docker runs it through the shell, and no exec hint',
        dockerfile:
          'FROM mcr.microsoft.com/dotnet/aspnet:7.0\nENTRYPOINT ["dotnet", "Catalog.API.dll", "--"]]\n',
        findings: [
          {
            line: 2,
            messageId: 'malformedExec',
            message: /not valid JSON, so Docker runs it as \/bin\/sh -c/,
            fix: /^write a JSON array of strings/,
          },
        ],
      },
      {
        name: 'python -m locust is the same load generator',
        dockerfile:
          'FROM python:3.12-slim\nCMD LOCUST_USERS=5 python3 -m locust -f locustfile.py --headless\n',
        findings: [{ line: 2, severity: 'info', messageId: 'loadGenerator', data: { program: 'locust' } }],
      },
    ],
  });
});
