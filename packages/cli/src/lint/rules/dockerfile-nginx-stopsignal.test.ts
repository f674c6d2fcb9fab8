import { describe } from 'node:test';
import { dockerfileRuleTester } from '../../testing/rule-tester.js';
import { dockerfileNginxStopsignal } from './dockerfile-nginx-stopsignal.js';

const custom = 'FROM alpine:3.20\nRUN apk add --no-cache nginx\nCMD ["nginx", "-g", "daemon off;"]\n';
/** An image that starts nginx from its entrypoint script (NGINX Gateway Fabric's data plane). */
const scripted =
  'FROM debian:12-slim\nRUN apt-get install -y nginx\nCOPY entrypoint.sh /agent/entrypoint.sh\nENTRYPOINT ["/agent/entrypoint.sh"]\n';
const forwardsTerm =
  '#!/bin/bash\nhandle_term() { kill "-$signal" "$nginx_pid"; }\ntrap handle_term TERM\n/usr/sbin/nginx -g "daemon off;" &\nnginx_pid=$!\nwait\n';

describe('dockerfile-nginx-stopsignal', () => {
  dockerfileRuleTester(dockerfileNginxStopsignal, {
    valid: [
      {
        name: 'official nginx image (STOPSIGNAL SIGQUIT inherited)',
        dockerfile: 'FROM nginx:1.27\nCOPY site /usr/share/nginx/html\n',
      },
      {
        name: 'official image by full name',
        dockerfile: 'FROM docker.io/library/nginx:stable\nCMD ["nginx", "-g", "daemon off;"]\n',
      },
      { name: 'custom image with STOPSIGNAL SIGQUIT', dockerfile: `${custom}STOPSIGNAL SIGQUIT\n` },
      {
        name: 'an entrypoint script that turns SIGTERM into nginx -s quit',
        dockerfile: scripted,
        script: '#!/bin/sh\ntrap "nginx -s quit" TERM\nnginx -g "daemon off;" &\nwait\n',
      },
      {
        name: 'an entrypoint script that starts something else',
        dockerfile: scripted,
        script: '#!/bin/sh\nexec /usr/bin/gateway --config /etc/nginx.conf\n',
      },
    ],
    invalid: [
      {
        name: 'custom nginx without STOPSIGNAL',
        dockerfile: custom,
        findings: [{ line: 1, message: /nginx gets SIGTERM, its fast shutdown/ }],
        output: `${custom}STOPSIGNAL SIGQUIT\n`,
      },
      {
        name: "nginx started by the entrypoint script, SIGTERM forwarded as TERM (NGINX Gateway Fabric's data plane)",
        dockerfile: scripted,
        script: forwardsTerm,
        findings: [{ line: 1, data: { baseImage: 'debian:12-slim' } }],
        output: `${scripted}STOPSIGNAL SIGQUIT\n`,
      },
    ],
  });
});
