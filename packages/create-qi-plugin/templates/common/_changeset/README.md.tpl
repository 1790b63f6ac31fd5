# Changesets

Every change a user can notice gets a changeset: run `npx changeset`, pick the
bump (patch: fixes; minor: new config or behaviour; major: anything that breaks
an existing config or raises the `@qi/core` peer range's floor), and write one
sentence for the changelog. `npm run version-packages` turns the changesets
into a version and CHANGELOG.md; `npm run release` builds and publishes.
