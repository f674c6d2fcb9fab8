import { describe } from 'node:test';
import { ruleTester } from '../../testing/rule-tester.js';
import { nginxFastShutdown } from './nginx-fast-shutdown.js';

const pod = (image: string, extra = '') =>
  `apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: web\n      image: ${image}${extra}\n`;

describe('nginx-fast-shutdown', () => {
  ruleTester(nginxFastShutdown, {
    valid: [
      { name: 'official nginx', yaml: pod('nginx:1.27') },
      { name: 'ingress-nginx controller', yaml: pod('registry.k8s.io/ingress-nginx/controller:v1.11.0') },
      {
        name: 'custom nginx with a quit preStop',
        yaml: pod(
          'registry.example.com/my-nginx:2',
          '\n      lifecycle: {preStop: {exec: {command: ["/usr/sbin/nginx", "-s", "quit"]}}}',
        ),
      },
    ],
    invalid: [
      {
        name: 'custom nginx image',
        yaml: pod('registry.example.com/my-nginx:2'),
        findings: [{ line: 7, message: /nginx gets SIGTERM: a fast shutdown/ }],
      },
    ],
  });
});
