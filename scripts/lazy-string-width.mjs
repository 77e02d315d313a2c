/**
 * esbuild plugin: `string-width` evaluated on its first call, not when the bundle loads.
 *
 * yargs, cliui and wrap-ansi import it for laying out help text, which a lint run never shows. Evaluating it builds
 * an `Intl.Segmenter` and a `/^\p{RGI_Emoji}$/v` regular expression per copy (the bundle holds three versions):
 * ~25 ms of every run's start-up, a tenth of a one-statement run (CPU profile, positionTicks of the bundle's top
 * level). Every import of `string-width` gets a small module whose default export requires the real one — from the
 * importer's own folder, so each package keeps its own version — when first called; esbuild wraps a module that is
 * `require`d so that it is evaluated then.
 */
const NAMESPACE = 'lazy-string-width';

export const lazyStringWidth = {
  name: NAMESPACE,
  setup(build) {
    build.onResolve({ filter: /^string-width$/ }, (args) => {
      // The stand-in's own require: esbuild's usual resolution from the original importer's folder.
      if (args.pluginData?.real) return undefined;
      return { path: args.resolveDir, namespace: NAMESPACE };
    });
    build.onLoad({ filter: /.*/, namespace: NAMESPACE }, (args) => ({
      contents: [
        'let width;',
        'export default function stringWidth(text, options) {',
        "  width ??= require('string-width').default;",
        '  return width(text, options);',
        '}',
        '',
      ].join('\n'),
      resolveDir: args.path,
      loader: 'js',
      pluginData: { real: true },
    }));
  },
};
