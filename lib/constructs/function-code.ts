import * as fs from 'node:fs';
import * as path from 'node:path';
import { AssetHashType, DockerImage } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { buildFunctionSync, bundleName, PROJECT_ROOT } from './bundling';

/**
 * Where the npm package keeps the bundles built when it was packed (`npm pack` runs
 * bin/build-package.ts): dist/functions/<name>/, beside the compiled dist/lib/. From the
 * sources (lib/constructs/ under tsx or ts-jest) this path does not exist.
 */
export const PREBUILT_DIR = path.resolve(__dirname, '..', '..', 'functions');

/**
 * A function's code: the prebuilt bundle when the construct runs from the npm package (the
 * consumer needs neither esbuild nor this repository's sources), otherwise bundled from the
 * sources at synth time with the same settings (lib/constructs/bundling.ts). Either way the
 * asset is the bundle: `index.mjs` and its `chunks/`.
 */
export function functionCode(entry: string): lambda.Code {
  const prebuilt = path.join(PREBUILT_DIR, bundleName(entry));
  if (fs.existsSync(path.join(prebuilt, 'index.mjs'))) return lambda.Code.fromAsset(prebuilt);
  if (!fs.existsSync(path.join(PROJECT_ROOT, entry))) {
    throw new Error(`No bundle for ${entry}: neither ${prebuilt} (the npm package's) nor the source to build it from`);
  }
  return lambda.Code.fromAsset(PROJECT_ROOT, {
    // The hash of the bundle itself: a change that does not change the bundle deploys nothing.
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      // Never used: local bundling always succeeds or throws. No Docker on the build machines.
      image: DockerImage.fromRegistry('unused-local-bundling-only'),
      // CDK caches a staged asset by its source path and bundling options, in which the
      // function below does not count: the entry must, or every function gets the first one's bundle.
      command: ['esbuild', entry],
      local: {
        tryBundle(outputDir: string): boolean {
          buildFunctionSync(entry, outputDir);
          return true;
        },
      },
    },
  });
}
