package plusvibetest

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"go.yaml.in/yaml/v4"
)

// vendorSpec is PlusVibe's published OpenAPI export, unedited.
//
//go:embed openapi/plusvibe-openapi.yaml
var vendorSpec []byte

// accessSpec is PlusVibe's list, edit and delete client endpoints, written
// down from its public reference (the vendor publishes no export of them).
//
//go:embed openapi/plusvibe-client-access.yaml
var accessSpec []byte

var (
	specOnce sync.Once
	specDoc  *openapi3.T
	specErr  error

	accessOnce sync.Once
	accessDoc  *openapi3.T
	accessErr  error
)

// AccessSpec returns the list/edit/delete spec, validated.
func AccessSpec() (*openapi3.T, error) {
	accessOnce.Do(func() {
		loader := openapi3.NewLoader()
		var tree map[string]any
		if accessErr = yaml.Unmarshal(accessSpec, &tree); accessErr != nil {
			return
		}
		data, _ := json.Marshal(tree)
		if accessDoc, accessErr = loader.LoadFromData(data); accessErr == nil {
			accessErr = accessDoc.Validate(loader.Context)
		}
	})
	return accessDoc, accessErr
}

// Spec returns the vendor spec, repaired in memory and validated.
func Spec() (*openapi3.T, error) {
	specOnce.Do(func() { specDoc, specErr = loadSpec(vendorSpec) })
	return specDoc, specErr
}

func loadSpec(raw []byte) (*openapi3.T, error) {
	var tree map[string]any
	if err := yaml.Unmarshal(raw, &tree); err != nil {
		return nil, fmt.Errorf("parsing vendor spec: %w", err)
	}
	repairExport(tree)
	data, err := json.Marshal(tree)
	if err != nil {
		return nil, fmt.Errorf("re-encoding vendor spec: %w", err)
	}
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(data)
	if err != nil {
		return nil, fmt.Errorf("loading vendor spec: %w", err)
	}
	if err := doc.Validate(loader.Context); err != nil {
		return nil, fmt.Errorf("vendor spec is not valid OpenAPI after repair: %w", err)
	}
	return doc, nil
}

// repairExport undoes the quirks of the vendor's export tool without changing
// what the schemas say:
//   - `x-apidog` entries inside security requirement lists (not extensions there,
//     so they read as an unknown scheme);
//   - security scheme type `apikey`, which OpenAPI spells `apiKey`;
//   - the unused `apiKey` scheme with `in: body`, a location OpenAPI lacks;
//   - an empty info.title, which OpenAPI requires;
//   - schema `examples` lists, a 3.1 keyword in a 3.0 document; they only
//     document values and take no part in validation.
func repairExport(tree map[string]any) {
	walk(tree, func(key string, parent map[string]any) {
		if key == "examples" {
			if _, isList := parent[key].([]any); isList {
				delete(parent, key)
			}
			return
		}
		if key != "security" {
			return
		}
		if reqs, ok := parent[key].([]any); ok {
			for _, r := range reqs {
				if m, ok := r.(map[string]any); ok {
					for k := range m {
						if strings.HasPrefix(k, "x-") {
							delete(m, k)
						}
					}
				}
			}
		}
	})
	if info, ok := tree["info"].(map[string]any); ok && info["title"] == "" {
		info["title"] = "PlusVibe API"
	}
	comps, _ := tree["components"].(map[string]any)
	schemes, _ := comps["securitySchemes"].(map[string]any)
	for name, s := range schemes {
		scheme, ok := s.(map[string]any)
		if !ok {
			continue
		}
		if strings.EqualFold(fmt.Sprint(scheme["type"]), "apikey") {
			scheme["type"] = "apiKey"
		}
		if scheme["in"] == "body" {
			delete(schemes, name)
		}
	}
}

// walk calls fn for every key of every map in the tree.
func walk(node any, fn func(key string, parent map[string]any)) {
	switch n := node.(type) {
	case map[string]any:
		for k, v := range n {
			fn(k, n)
			walk(v, fn)
		}
	case []any:
		for _, v := range n {
			walk(v, fn)
		}
	}
}
