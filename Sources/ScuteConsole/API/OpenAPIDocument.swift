/// The API's OpenAPI 3.1 document, served at /api/v1/openapi.json: the contract the handlers and tests follow.
/// A test checks that every route the router serves is in here and the other way round.
enum OpenAPIDocument {
    static let json = #"""
        {
         "openapi": "3.1.0",
         "info": {
          "title": "Scute console API",
          "version": "1.0.0",
          "description": "Runtime policy, defenders, audits and the embed service. Every operation but /authenticate and /health needs a bearer token (POST /authenticate, or an API token); roles: admin, operator, defenderManager, auditor (read-only)."
         },
         "servers": [
          {
           "url": "/api/v1"
          }
         ],
         "paths": {
          "/authenticate": {
           "post": {
            "operationId": "authenticate",
            "summary": "Log in: a bearer token with its expiry",
            "responses": {
             "200": {
              "description": "Token",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Session"
                }
               }
              }
             },
             "400": {
              "description": "Error",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Error"
                }
               }
              }
             },
             "401": {
              "description": "Error",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Error"
                }
               }
              }
             },
             "429": {
              "description": "Error",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Error"
                }
               }
              }
             }
            },
            "security": [],
            "requestBody": {
             "required": true,
             "content": {
              "application/json": {
               "schema": {
                "$ref": "#/components/schemas/Credentials"
               }
              }
             }
            }
           }
          },
          "/health": {
           "get": {
            "operationId": "health",
            "summary": "Console health",
            "responses": {
             "200": {
              "description": "Healthy",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Health"
                }
               }
              }
             },
             "503": {
              "description": "Store unavailable",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Health"
                }
               }
              }
             }
            },
            "security": []
           }
          },
          "/users": {
           "get": {
            "operationId": "listUsers",
            "summary": "List users (admin)",
            "responses": {
             "200": {
              "description": "Users",
              "content": {
               "application/json": {
                "schema": {
                 "type": "object",
                 "required": [
                  "users"
                 ],
                 "properties": {
                  "users": {
                   "type": "array",
                   "items": {
                    "$ref": "#/components/schemas/User"
                   }
                  }
                 }
                }
               }
              }
             },
             "400": {
              "description": "Error",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Error"
                }
               }
              }
             },
             "401": {
              "description": "Error",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Error"
                }
               }
              }
             },
             "403": {
              "description": "Error",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Error"
                }
               }
              }
             }
            },
            "security": [
             {
              "bearer": []
             }
            ]
           },
           "post": {
            "operationId": "createUser",
            "summary": "Create a user (admin)",
            "responses": {
             "201": {
              "description": "Created",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/User"
                }
               }
              }
             },
             "400": {
              "description": "Error",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Error"
                }
               }
              }
             },
             "401": {
              "description": "Error",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Error"
                }
               }
              }
             },
             "403": {
              "description": "Error",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Error"
                }
               }
              }
             },
             "409": {
              "description": "Error",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Error"
                }
               }
              }
             }
            },
            "requestBody": {
             "required": true,
             "content": {
              "application/json": {
               "schema": {
                "$ref": "#/components/schemas/NewUser"
               }
              }
             }
            },
            "security": [
             {
              "bearer": []
             }
            ]
           }
          },
          "/users/{name}": {
           "parameters": [
            {
             "name": "name",
             "in": "path",
             "required": true,
             "schema": {
              "type": "string",
              "minLength": 1
             }
            }
           ],
           "put": {
            "operationId": "updateUser",
            "summary": "Change a user's password or role (admin)",
            "responses": {
             "200": {
              "description": "Updated",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/User"
                }
               }
              }
             },
             "400": {
              "description": "Error",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Error"
                }
               }
              }
             },
             "401": {
              "description": "Error",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Error"
                }
               }
              }
             },
             "403": {
              "description": "Error",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Error"
                }
               }
              }
             },
             "404": {
              "description": "Error",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Error"
                }
               }
              }
             }
            },
            "requestBody": {
             "required": true,
             "content": {
              "application/json": {
               "schema": {
                "$ref": "#/components/schemas/UserChange"
               }
              }
             }
            },
            "security": [
             {
              "bearer": []
             }
            ]
           },
           "delete": {
            "operationId": "deleteUser",
            "summary": "Delete a user (admin)",
            "responses": {
             "204": {
              "description": "Deleted"
             },
             "400": {
              "description": "Error",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Error"
                }
               }
              }
             },
             "401": {
              "description": "Error",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Error"
                }
               }
              }
             },
             "403": {
              "description": "Error",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Error"
                }
               }
              }
             },
             "404": {
              "description": "Error",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Error"
                }
               }
              }
             }
            },
            "security": [
             {
              "bearer": []
             }
            ]
           }
          },
          "/tokens": {
           "get": {
            "operationId": "listTokens",
            "summary": "List API tokens (admin)",
            "responses": {
             "200": {
              "description": "Tokens",
              "content": {
               "application/json": {
                "schema": {
                 "type": "object",
                 "required": [
                  "tokens"
                 ],
                 "properties": {
                  "tokens": {
                   "type": "array",
                   "items": {
                    "$ref": "#/components/schemas/APIToken"
                   }
                  }
                 }
                }
               }
              }
             },
             "400": {
              "description": "Error",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Error"
                }
               }
              }
             },
             "401": {
              "description": "Error",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Error"
                }
               }
              }
             },
             "403": {
              "description": "Error",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Error"
                }
               }
              }
             }
            },
            "security": [
             {
              "bearer": []
             }
            ]
           },
           "post": {
            "operationId": "createToken",
            "summary": "Create an API token; the secret is returned once (admin)",
            "responses": {
             "201": {
              "description": "Created",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/APIToken"
                }
               }
              }
             },
             "400": {
              "description": "Error",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Error"
                }
               }
              }
             },
             "401": {
              "description": "Error",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Error"
                }
               }
              }
             },
             "403": {
              "description": "Error",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Error"
                }
               }
              }
             },
             "409": {
              "description": "Error",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Error"
                }
               }
              }
             }
            },
            "requestBody": {
             "required": true,
             "content": {
              "application/json": {
               "schema": {
                "$ref": "#/components/schemas/NewToken"
               }
              }
             }
            },
            "security": [
             {
              "bearer": []
             }
            ]
           }
          },
          "/tokens/{id}": {
           "parameters": [
            {
             "name": "id",
             "in": "path",
             "required": true,
             "schema": {
              "type": "string",
              "minLength": 1
             }
            }
           ],
           "delete": {
            "operationId": "deleteToken",
            "summary": "Delete an API token (admin)",
            "responses": {
             "204": {
              "description": "Deleted"
             },
             "400": {
              "description": "Error",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Error"
                }
               }
              }
             },
             "401": {
              "description": "Error",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Error"
                }
               }
              }
             },
             "403": {
              "description": "Error",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Error"
                }
               }
              }
             },
             "404": {
              "description": "Error",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Error"
                }
               }
              }
             }
            },
            "security": [
             {
              "bearer": []
             }
            ]
           }
          },
          "/collections": {
           "get": {
            "operationId": "listCollections",
            "summary": "List collections",
            "responses": {
             "200": {
              "description": "Collections",
              "content": {
               "application/json": {
                "schema": {
                 "type": "object",
                 "required": [
                  "collections"
                 ],
                 "properties": {
                  "collections": {
                   "type": "array",
                   "items": {
                    "$ref": "#/components/schemas/Collection"
                   }
                  }
                 }
                }
               }
              }
             },
             "400": {
              "description": "Error",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Error"
                }
               }
              }
             },
             "401": {
              "description": "Error",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Error"
                }
               }
              }
             },
             "403": {
              "description": "Error",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Error"
                }
               }
              }
             }
            },
            "security": [
             {
              "bearer": []
             }
            ]
           },
           "post": {
            "operationId": "createCollection",
            "summary": "Create a collection (admin, operator)",
            "responses": {
             "201": {
              "description": "Created",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Collection"
                }
               }
              }
             },
             "400": {
              "description": "Error",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Error"
                }
               }
              }
             },
             "401": {
              "description": "Error",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Error"
                }
               }
              }
             },
             "403": {
              "description": "Error",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Error"
                }
               }
              }
             },
             "409": {
              "description": "Error",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Error"
                }
               }
              }
             }
            },
            "requestBody": {
             "required": true,
             "content": {
              "application/json": {
               "schema": {
                "$ref": "#/components/schemas/NewCollection"
               }
              }
             }
            },
            "security": [
             {
              "bearer": []
             }
            ]
           }
          },
          "/collections/{name}": {
           "parameters": [
            {
             "name": "name",
             "in": "path",
             "required": true,
             "schema": {
              "type": "string",
              "minLength": 1
             }
            }
           ],
           "get": {
            "operationId": "getCollection",
            "summary": "One collection",
            "responses": {
             "200": {
              "description": "Collection",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Collection"
                }
               }
              }
             },
             "400": {
              "description": "Error",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Error"
                }
               }
              }
             },
             "401": {
              "description": "Error",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Error"
                }
               }
              }
             },
             "403": {
              "description": "Error",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Error"
                }
               }
              }
             },
             "404": {
              "description": "Error",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Error"
                }
               }
              }
             }
            },
            "security": [
             {
              "bearer": []
             }
            ]
           },
           "put": {
            "operationId": "updateCollection",
            "summary": "Replace a collection (admin, operator)",
            "responses": {
             "200": {
              "description": "Updated",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Collection"
                }
               }
              }
             },
             "400": {
              "description": "Error",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Error"
                }
               }
              }
             },
             "401": {
              "description": "Error",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Error"
                }
               }
              }
             },
             "403": {
              "description": "Error",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Error"
                }
               }
              }
             },
             "404": {
              "description": "Error",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Error"
                }
               }
              }
             }
            },
            "requestBody": {
             "required": true,
             "content": {
              "application/json": {
               "schema": {
                "$ref": "#/components/schemas/CollectionChange"
               }
              }
             }
            },
            "security": [
             {
              "bearer": []
             }
            ]
           },
           "delete": {
            "operationId": "deleteCollection",
            "summary": "Delete an unused collection (admin, operator)",
            "responses": {
             "204": {
              "description": "Deleted"
             },
             "400": {
              "description": "Error",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Error"
                }
               }
              }
             },
             "401": {
              "description": "Error",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Error"
                }
               }
              }
             },
             "403": {
              "description": "Error",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Error"
                }
               }
              }
             },
             "404": {
              "description": "Error",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Error"
                }
               }
              }
             },
             "409": {
              "description": "Error",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Error"
                }
               }
              }
             }
            },
            "security": [
             {
              "bearer": []
             }
            ]
           }
          },
          "/policies/runtime": {
           "get": {
            "operationId": "getRuntimePolicy",
            "summary": "The ordered runtime rules and their version",
            "responses": {
             "200": {
              "description": "Policy",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/RuntimePolicy"
                }
               }
              }
             },
             "400": {
              "description": "Error",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Error"
                }
               }
              }
             },
             "401": {
              "description": "Error",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Error"
                }
               }
              }
             },
             "403": {
              "description": "Error",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Error"
                }
               }
              }
             }
            },
            "security": [
             {
              "bearer": []
             }
            ]
           }
          },
          "/policies/runtime/rules": {
           "post": {
            "operationId": "createRule",
            "summary": "Add a rule (admin, operator)",
            "responses": {
             "201": {
              "description": "Created",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/RuleChange"
                }
               }
              }
             },
             "400": {
              "description": "Error",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Error"
                }
               }
              }
             },
             "401": {
              "description": "Error",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Error"
                }
               }
              }
             },
             "403": {
              "description": "Error",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Error"
                }
               }
              }
             },
             "409": {
              "description": "Error",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Error"
                }
               }
              }
             }
            },
            "parameters": [
             {
              "name": "position",
              "in": "query",
              "required": false,
              "schema": {
               "type": "integer",
               "minimum": 0,
               "maximum": 100000
              },
              "description": "0 puts the rule first; absent appends"
             }
            ],
            "requestBody": {
             "required": true,
             "content": {
              "application/json": {
               "schema": {
                "$ref": "#/components/schemas/Rule"
               }
              }
             }
            },
            "security": [
             {
              "bearer": []
             }
            ]
           }
          },
          "/policies/runtime/rules/{name}": {
           "parameters": [
            {
             "name": "name",
             "in": "path",
             "required": true,
             "schema": {
              "type": "string",
              "minLength": 1
             }
            }
           ],
           "put": {
            "operationId": "updateRule",
            "summary": "Replace a rule (admin, operator)",
            "responses": {
             "200": {
              "description": "Updated",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/RuleChange"
                }
               }
              }
             },
             "400": {
              "description": "Error",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Error"
                }
               }
              }
             },
             "401": {
              "description": "Error",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Error"
                }
               }
              }
             },
             "403": {
              "description": "Error",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Error"
                }
               }
              }
             },
             "404": {
              "description": "Error",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Error"
                }
               }
              }
             }
            },
            "requestBody": {
             "required": true,
             "content": {
              "application/json": {
               "schema": {
                "$ref": "#/components/schemas/Rule"
               }
              }
             }
            },
            "security": [
             {
              "bearer": []
             }
            ]
           },
           "delete": {
            "operationId": "deleteRule",
            "summary": "Delete a rule (admin, operator)",
            "responses": {
             "200": {
              "description": "Deleted",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Version"
                }
               }
              }
             },
             "400": {
              "description": "Error",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Error"
                }
               }
              }
             },
             "401": {
              "description": "Error",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Error"
                }
               }
              }
             },
             "403": {
              "description": "Error",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Error"
                }
               }
              }
             },
             "404": {
              "description": "Error",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Error"
                }
               }
              }
             }
            },
            "security": [
             {
              "bearer": []
             }
            ]
           }
          },
          "/policies/runtime/order": {
           "put": {
            "operationId": "reorderRules",
            "summary": "Put the rules in a new order (admin, operator)",
            "responses": {
             "200": {
              "description": "Reordered",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Order"
                }
               }
              }
             },
             "400": {
              "description": "Error",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Error"
                }
               }
              }
             },
             "401": {
              "description": "Error",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Error"
                }
               }
              }
             },
             "403": {
              "description": "Error",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Error"
                }
               }
              }
             },
             "404": {
              "description": "Error",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Error"
                }
               }
              }
             }
            },
            "requestBody": {
             "required": true,
             "content": {
              "application/json": {
               "schema": {
                "$ref": "#/components/schemas/OrderRequest"
               }
              }
             }
            },
            "security": [
             {
              "bearer": []
             }
            ]
           }
          },
          "/defenders": {
           "get": {
            "operationId": "listDefenders",
            "summary": "Defenders, connected or not",
            "responses": {
             "200": {
              "description": "Defenders",
              "content": {
               "application/json": {
                "schema": {
                 "type": "object",
                 "required": [
                  "defenders"
                 ],
                 "properties": {
                  "defenders": {
                   "type": "array",
                   "items": {
                    "$ref": "#/components/schemas/Defender"
                   }
                  }
                 }
                }
               }
              }
             },
             "400": {
              "description": "Error",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Error"
                }
               }
              }
             },
             "401": {
              "description": "Error",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Error"
                }
               }
              }
             },
             "403": {
              "description": "Error",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Error"
                }
               }
              }
             }
            },
            "parameters": [
             {
              "name": "connected",
              "in": "query",
              "required": false,
              "schema": {
               "type": "string",
               "enum": [
                "true",
                "false"
               ]
              }
             },
             {
              "name": "appID",
              "in": "query",
              "required": false,
              "schema": {
               "type": "string",
               "maxLength": 512
              },
              "description": "app ID pattern with * wildcards"
             }
            ],
            "security": [
             {
              "bearer": []
             }
            ]
           }
          },
          "/defenders/install-bundle": {
           "get": {
            "operationId": "getInstallBundle",
            "summary": "An install bundle for SCUTE_INSTALL_BUNDLE (admin, operator, defender manager)",
            "responses": {
             "200": {
              "description": "Bundle",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/InstallBundle"
                }
               }
              }
             },
             "400": {
              "description": "Error",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Error"
                }
               }
              }
             },
             "401": {
              "description": "Error",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Error"
                }
               }
              }
             },
             "403": {
              "description": "Error",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Error"
                }
               }
              }
             }
            },
            "parameters": [
             {
              "name": "consoleaddr",
              "in": "query",
              "required": false,
              "schema": {
               "type": "string",
               "pattern": "^wss?://[^ \"]+$",
               "maxLength": 512
              },
              "description": "channel address, e.g. wss://console.example.com:8084"
             }
            ],
            "security": [
             {
              "bearer": []
             }
            ]
           }
          },
          "/defenders/install-bundle/rotate": {
           "post": {
            "operationId": "rotateDefenderTokens",
            "summary": "Invalidate every defender token issued so far",
            "responses": {
             "200": {
              "description": "Rotated",
              "content": {
               "application/json": {
                "schema": {
                 "type": "object",
                 "required": [
                  "generation"
                 ],
                 "properties": {
                  "generation": {
                   "type": "integer"
                  }
                 }
                }
               }
              }
             },
             "400": {
              "description": "Error",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Error"
                }
               }
              }
             },
             "401": {
              "description": "Error",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Error"
                }
               }
              }
             },
             "403": {
              "description": "Error",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Error"
                }
               }
              }
             }
            },
            "security": [
             {
              "bearer": []
             }
            ]
           }
          },
          "/defenders/fargate.json": {
           "post": {
            "operationId": "embedTaskDefinition",
            "summary": "Protect an ECS task definition (the CLI's embed task-definition)",
            "responses": {
             "200": {
              "description": "Protected task definition",
              "content": {
               "application/json": {
                "schema": {
                 "type": "object"
                }
               }
              }
             },
             "400": {
              "description": "Error",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Error"
                }
               }
              }
             },
             "401": {
              "description": "Error",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Error"
                }
               }
              }
             },
             "403": {
              "description": "Error",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Error"
                }
               }
              }
             }
            },
            "parameters": [
             {
              "name": "consoleaddr",
              "in": "query",
              "required": false,
              "schema": {
               "type": "string",
               "pattern": "^wss?://[^ \"]+$",
               "maxLength": 512
              }
             },
             {
              "name": "appID",
              "in": "query",
              "required": false,
              "schema": {
               "type": "string",
               "maxLength": 512
              }
             },
             {
              "name": "sidecarImage",
              "in": "query",
              "required": false,
              "schema": {
               "type": "string",
               "maxLength": 512
              }
             },
             {
              "name": "exclude",
              "in": "query",
              "required": false,
              "schema": {
               "type": "string",
               "maxLength": 512
              }
             },
             {
              "name": "assumeNoEntrypoint",
              "in": "query",
              "required": false,
              "schema": {
               "type": "string",
               "maxLength": 512
              }
             },
             {
              "name": "remove",
              "in": "query",
              "required": false,
              "schema": {
               "type": "string",
               "enum": [
                "true",
                "false"
               ]
              }
             }
            ],
            "requestBody": {
             "required": true,
             "content": {
              "application/json": {
               "schema": {
                "type": "object",
                "description": "RegisterTaskDefinition input or describe-task-definition output"
               }
              }
             }
            },
            "security": [
             {
              "bearer": []
             }
            ]
           }
          },
          "/defenders/cloudformation": {
           "post": {
            "operationId": "embedCloudFormation",
            "summary": "Protect every ECS task definition of a CloudFormation template (the CLI's embed cloudformation)",
            "responses": {
             "200": {
              "description": "Protected template, in the format it came in",
              "content": {
               "application/json": {
                "schema": {
                 "type": "object"
                }
               },
               "application/yaml": {
                "schema": {
                 "type": "string"
                }
               }
              }
             },
             "400": {
              "description": "Error",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Error"
                }
               }
              }
             },
             "401": {
              "description": "Error",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Error"
                }
               }
              }
             },
             "403": {
              "description": "Error",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Error"
                }
               }
              }
             }
            },
            "parameters": [
             {
              "name": "consoleaddr",
              "in": "query",
              "required": false,
              "schema": {
               "type": "string",
               "pattern": "^wss?://[^ \"]+$",
               "maxLength": 512
              }
             },
             {
              "name": "appID",
              "in": "query",
              "required": false,
              "schema": {
               "type": "string",
               "maxLength": 512
              }
             },
             {
              "name": "sidecarImage",
              "in": "query",
              "required": false,
              "schema": {
               "type": "string",
               "maxLength": 512
              }
             },
             {
              "name": "exclude",
              "in": "query",
              "required": false,
              "schema": {
               "type": "string",
               "maxLength": 512
              }
             },
             {
              "name": "assumeNoEntrypoint",
              "in": "query",
              "required": false,
              "schema": {
               "type": "string",
               "maxLength": 512
              }
             },
             {
              "name": "resource",
              "in": "query",
              "required": false,
              "schema": {
               "type": "string",
               "maxLength": 512
              },
              "description": "only this task definition resource (logical ID)"
             },
             {
              "name": "remove",
              "in": "query",
              "required": false,
              "schema": {
               "type": "string",
               "enum": [
                "true",
                "false"
               ]
              }
             }
            ],
            "requestBody": {
             "required": true,
             "content": {
              "application/json": {
               "schema": {
                "type": "object"
               }
              },
              "application/yaml": {
               "schema": {
                "type": "string"
               }
              }
             }
            },
            "security": [
             {
              "bearer": []
             }
            ]
           }
          },
          "/defenders/app-embedded": {
           "post": {
            "operationId": "embedDockerfile",
            "summary": "Protect a Dockerfile: a zip with the protected Dockerfile and the defender bundle (the CLI's embed dockerfile)",
            "responses": {
             "200": {
              "description": "zip",
              "content": {
               "application/zip": {
                "schema": {
                 "type": "string",
                 "format": "binary"
                }
               }
              }
             },
             "400": {
              "description": "Error",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Error"
                }
               }
              }
             },
             "401": {
              "description": "Error",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Error"
                }
               }
              }
             },
             "403": {
              "description": "Error",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Error"
                }
               }
              }
             },
             "503": {
              "description": "Error",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Error"
                }
               }
              }
             }
            },
            "parameters": [
             {
              "name": "appID",
              "in": "query",
              "required": true,
              "schema": {
               "type": "string",
               "minLength": 1,
               "maxLength": 512
              }
             },
             {
              "name": "consoleaddr",
              "in": "query",
              "required": false,
              "schema": {
               "type": "string",
               "pattern": "^wss?://[^ \"]+$",
               "maxLength": 512
              }
             },
             {
              "name": "platform",
              "in": "query",
              "required": false,
              "schema": {
               "type": "string",
               "enum": [
                "linux/amd64",
                "linux/arm64"
               ]
              }
             },
             {
              "name": "target",
              "in": "query",
              "required": false,
              "schema": {
               "type": "string",
               "maxLength": 512
              }
             },
             {
              "name": "buildArg",
              "in": "query",
              "required": false,
              "schema": {
               "type": "string",
               "maxLength": 512
              },
              "description": "NAME=VALUE (repeatable)"
             },
             {
              "name": "entrypoint",
              "in": "query",
              "required": false,
              "schema": {
               "type": "string",
               "maxLength": 2048
              },
              "description": "the base image's ENTRYPOINT as a JSON list"
             },
             {
              "name": "cmd",
              "in": "query",
              "required": false,
              "schema": {
               "type": "string",
               "maxLength": 2048
              },
              "description": "the base image's CMD as a JSON list"
             }
            ],
            "requestBody": {
             "required": true,
             "content": {
              "text/plain": {
               "schema": {
                "type": "string"
               }
              }
             }
            },
            "security": [
             {
              "bearer": []
             }
            ]
           }
          },
          "/defenders/{id}/revoke": {
           "parameters": [
            {
             "name": "id",
             "in": "path",
             "required": true,
             "schema": {
              "type": "string",
              "minLength": 1
             }
            }
           ],
           "post": {
            "operationId": "revokeDefender",
            "summary": "Revoke a defender: its channel closes and it cannot reconnect",
            "responses": {
             "204": {
              "description": "Revoked"
             },
             "400": {
              "description": "Error",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Error"
                }
               }
              }
             },
             "401": {
              "description": "Error",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Error"
                }
               }
              }
             },
             "403": {
              "description": "Error",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Error"
                }
               }
              }
             },
             "404": {
              "description": "Error",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Error"
                }
               }
              }
             }
            },
            "security": [
             {
              "bearer": []
             }
            ]
           }
          },
          "/defenders/{id}": {
           "parameters": [
            {
             "name": "id",
             "in": "path",
             "required": true,
             "schema": {
              "type": "string",
              "minLength": 1
             }
            }
           ],
           "delete": {
            "operationId": "deleteDefender",
            "summary": "Forget a defender",
            "responses": {
             "204": {
              "description": "Deleted"
             },
             "400": {
              "description": "Error",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Error"
                }
               }
              }
             },
             "401": {
              "description": "Error",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Error"
                }
               }
              }
             },
             "403": {
              "description": "Error",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Error"
                }
               }
              }
             },
             "404": {
              "description": "Error",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Error"
                }
               }
              }
             }
            },
            "security": [
             {
              "bearer": []
             }
            ]
           }
          },
          "/audits/runtime": {
           "get": {
            "operationId": "listRuntimeAudits",
            "summary": "Runtime audits: filters, paging, sort, JSON or CSV",
            "responses": {
             "200": {
              "description": "Audits",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/AuditPage"
                }
               },
               "text/csv": {
                "schema": {
                 "type": "string"
                }
               }
              }
             },
             "400": {
              "description": "Error",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Error"
                }
               }
              }
             },
             "401": {
              "description": "Error",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Error"
                }
               }
              }
             },
             "403": {
              "description": "Error",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Error"
                }
               }
              }
             }
            },
            "parameters": [
             {
              "name": "from",
              "in": "query",
              "required": false,
              "schema": {
               "type": "string",
               "format": "date-time"
              }
             },
             {
              "name": "to",
              "in": "query",
              "required": false,
              "schema": {
               "type": "string",
               "format": "date-time"
              }
             },
             {
              "name": "appID",
              "in": "query",
              "required": false,
              "schema": {
               "type": "string",
               "maxLength": 512
              }
             },
             {
              "name": "type",
              "in": "query",
              "required": false,
              "schema": {
               "type": "string",
               "enum": [
                "process",
                "dns",
                "network",
                "listening",
                "defender"
               ]
              }
             },
             {
              "name": "effect",
              "in": "query",
              "required": false,
              "schema": {
               "type": "string",
               "enum": [
                "alert",
                "prevent",
                "allow"
               ]
              }
             },
             {
              "name": "rule",
              "in": "query",
              "required": false,
              "schema": {
               "type": "string",
               "maxLength": 512
              }
             },
             {
              "name": "attackType",
              "in": "query",
              "required": false,
              "schema": {
               "type": "string",
               "maxLength": 512
              }
             },
             {
              "name": "limit",
              "in": "query",
              "required": false,
              "schema": {
               "type": "integer",
               "minimum": 1,
               "maximum": 1000
              }
             },
             {
              "name": "offset",
              "in": "query",
              "required": false,
              "schema": {
               "type": "integer",
               "minimum": 0,
               "maximum": 10000000
              }
             },
             {
              "name": "sort",
              "in": "query",
              "required": false,
              "schema": {
               "type": "string",
               "enum": [
                "time",
                "-time"
               ]
              }
             },
             {
              "name": "format",
              "in": "query",
              "required": false,
              "schema": {
               "type": "string",
               "enum": [
                "json",
                "csv"
               ]
              }
             }
            ],
            "security": [
             {
              "bearer": []
             }
            ]
           }
          },
          "/settings": {
           "get": {
            "operationId": "getSettings",
            "summary": "Console settings",
            "responses": {
             "200": {
              "description": "Settings",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Settings"
                }
               }
              }
             },
             "400": {
              "description": "Error",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Error"
                }
               }
              }
             },
             "401": {
              "description": "Error",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Error"
                }
               }
              }
             },
             "403": {
              "description": "Error",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Error"
                }
               }
              }
             }
            },
            "security": [
             {
              "bearer": []
             }
            ]
           },
           "put": {
            "operationId": "updateSettings",
            "summary": "Change settings (admin)",
            "responses": {
             "200": {
              "description": "Settings",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Settings"
                }
               }
              }
             },
             "400": {
              "description": "Error",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Error"
                }
               }
              }
             },
             "401": {
              "description": "Error",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Error"
                }
               }
              }
             },
             "403": {
              "description": "Error",
              "content": {
               "application/json": {
                "schema": {
                 "$ref": "#/components/schemas/Error"
                }
               }
              }
             }
            },
            "requestBody": {
             "required": true,
             "content": {
              "application/json": {
               "schema": {
                "$ref": "#/components/schemas/Settings"
               }
              }
             }
            },
            "security": [
             {
              "bearer": []
             }
            ]
           }
          }
         },
         "components": {
          "schemas": {
           "Error": {
            "type": "object",
            "required": [
             "error"
            ],
            "properties": {
             "error": {
              "type": "object",
              "required": [
               "message"
              ],
              "properties": {
               "message": {
                "type": "string"
               },
               "field": {
                "type": "string"
               }
              }
             }
            }
           },
           "Credentials": {
            "type": "object",
            "additionalProperties": false,
            "required": [
             "username",
             "password"
            ],
            "properties": {
             "username": {
              "type": "string",
              "minLength": 1,
              "maxLength": 200
             },
             "password": {
              "type": "string",
              "minLength": 1,
              "maxLength": 200
             }
            }
           },
           "Session": {
            "type": "object",
            "required": [
             "token",
             "tokenType",
             "expiresAt",
             "user",
             "role"
            ],
            "properties": {
             "token": {
              "type": "string"
             },
             "tokenType": {
              "type": "string"
             },
             "expiresAt": {
              "type": "string",
              "format": "date-time"
             },
             "user": {
              "type": "string"
             },
             "role": {
              "type": "string",
              "enum": [
               "admin",
               "operator",
               "defenderManager",
               "auditor"
              ]
             }
            }
           },
           "Health": {
            "type": "object",
            "required": [
             "status"
            ],
            "properties": {
             "status": {
              "type": "string"
             },
             "policyVersion": {
              "type": "integer"
             },
             "connectedDefenders": {
              "type": "integer"
             },
             "store": {
              "type": "string"
             }
            }
           },
           "User": {
            "type": "object",
            "required": [
             "name",
             "role",
             "createdAt"
            ],
            "properties": {
             "name": {
              "type": "string"
             },
             "role": {
              "type": "string",
              "enum": [
               "admin",
               "operator",
               "defenderManager",
               "auditor"
              ]
             },
             "createdAt": {
              "type": "string",
              "format": "date-time"
             }
            }
           },
           "NewUser": {
            "type": "object",
            "additionalProperties": false,
            "required": [
             "name",
             "password",
             "role"
            ],
            "properties": {
             "name": {
              "type": "string",
              "minLength": 1,
              "maxLength": 100,
              "pattern": "^[A-Za-z0-9._@-]+$"
             },
             "password": {
              "type": "string",
              "minLength": 8,
              "maxLength": 200
             },
             "role": {
              "type": "string",
              "enum": [
               "admin",
               "operator",
               "defenderManager",
               "auditor"
              ]
             }
            }
           },
           "UserChange": {
            "type": "object",
            "additionalProperties": false,
            "properties": {
             "password": {
              "type": "string",
              "minLength": 8,
              "maxLength": 200
             },
             "role": {
              "type": "string",
              "enum": [
               "admin",
               "operator",
               "defenderManager",
               "auditor"
              ]
             }
            }
           },
           "APIToken": {
            "type": "object",
            "required": [
             "id",
             "name",
             "user",
             "role",
             "createdAt"
            ],
            "properties": {
             "id": {
              "type": "string"
             },
             "name": {
              "type": "string"
             },
             "user": {
              "type": "string"
             },
             "role": {
              "type": "string",
              "enum": [
               "admin",
               "operator",
               "defenderManager",
               "auditor"
              ]
             },
             "createdAt": {
              "type": "string",
              "format": "date-time"
             },
             "expiresAt": {
              "type": [
               "string",
               "null"
              ],
              "format": "date-time"
             },
             "token": {
              "type": "string",
              "description": "the secret; only in the answer to POST /tokens"
             }
            }
           },
           "NewToken": {
            "type": "object",
            "additionalProperties": false,
            "required": [
             "name",
             "role"
            ],
            "properties": {
             "name": {
              "type": "string",
              "minLength": 1,
              "maxLength": 100
             },
             "role": {
              "type": "string",
              "enum": [
               "admin",
               "operator",
               "defenderManager",
               "auditor"
              ]
             },
             "expiresInDays": {
              "type": "integer",
              "minimum": 1,
              "maximum": 3650
             }
            }
           },
           "Collection": {
            "type": "object",
            "additionalProperties": false,
            "required": [
             "name"
            ],
            "properties": {
             "name": {
              "type": "string",
              "minLength": 1,
              "maxLength": 200
             },
             "description": {
              "type": "string",
              "maxLength": 2000
             },
             "appIDs": {
              "type": "array",
              "items": {
               "type": "string",
               "maxLength": 512
              },
              "maxItems": 1000
             },
             "images": {
              "type": "array",
              "items": {
               "type": "string",
               "maxLength": 512
              },
              "maxItems": 1000
             },
             "containers": {
              "type": "array",
              "items": {
               "type": "string",
               "maxLength": 512
              },
              "maxItems": 1000
             },
             "taskFamilies": {
              "type": "array",
              "items": {
               "type": "string",
               "maxLength": 512
              },
              "maxItems": 1000
             },
             "updatedAt": {
              "type": "string",
              "format": "date-time",
              "readOnly": true
             }
            }
           },
           "NewCollection": {
            "type": "object",
            "additionalProperties": false,
            "required": [
             "name"
            ],
            "properties": {
             "name": {
              "type": "string",
              "minLength": 1,
              "maxLength": 200
             },
             "description": {
              "type": "string",
              "maxLength": 2000
             },
             "appIDs": {
              "type": "array",
              "items": {
               "type": "string",
               "maxLength": 512
              },
              "maxItems": 1000
             },
             "images": {
              "type": "array",
              "items": {
               "type": "string",
               "maxLength": 512
              },
              "maxItems": 1000
             },
             "containers": {
              "type": "array",
              "items": {
               "type": "string",
               "maxLength": 512
              },
              "maxItems": 1000
             },
             "taskFamilies": {
              "type": "array",
              "items": {
               "type": "string",
               "maxLength": 512
              },
              "maxItems": 1000
             }
            }
           },
           "CollectionChange": {
            "type": "object",
            "additionalProperties": false,
            "properties": {
             "name": {
              "type": "string",
              "maxLength": 200
             },
             "description": {
              "type": "string",
              "maxLength": 2000
             },
             "appIDs": {
              "type": "array",
              "items": {
               "type": "string",
               "maxLength": 512
              },
              "maxItems": 1000
             },
             "images": {
              "type": "array",
              "items": {
               "type": "string",
               "maxLength": 512
              },
              "maxItems": 1000
             },
             "containers": {
              "type": "array",
              "items": {
               "type": "string",
               "maxLength": 512
              },
              "maxItems": 1000
             },
             "taskFamilies": {
              "type": "array",
              "items": {
               "type": "string",
               "maxLength": 512
              },
              "maxItems": 1000
             }
            }
           },
           "RuleCollection": {
            "type": "object",
            "additionalProperties": false,
            "properties": {
             "name": {
              "type": "string",
              "maxLength": 200
             },
             "appIDs": {
              "type": "array",
              "items": {
               "type": "string",
               "maxLength": 512
              },
              "maxItems": 1000
             },
             "images": {
              "type": "array",
              "items": {
               "type": "string",
               "maxLength": 512
              },
              "maxItems": 1000
             },
             "containers": {
              "type": "array",
              "items": {
               "type": "string",
               "maxLength": 512
              },
              "maxItems": 1000
             },
             "taskFamilies": {
              "type": "array",
              "items": {
               "type": "string",
               "maxLength": 512
              },
              "maxItems": 1000
             }
            },
            "description": "inline patterns (* wildcards, -exclude), or only a name referring to a stored collection"
           },
           "Rule": {
            "type": "object",
            "additionalProperties": false,
            "required": [
             "name"
            ],
            "properties": {
             "name": {
              "type": "string",
              "minLength": 1,
              "maxLength": 200
             },
             "collections": {
              "type": "array",
              "items": {
               "$ref": "#/components/schemas/RuleCollection"
              }
             },
             "processes": {
              "type": "object",
              "additionalProperties": false,
              "properties": {
               "effect": {
                "type": "string",
                "enum": [
                 "disable",
                 "alert",
                 "prevent"
                ]
               },
               "allowed": {
                "type": "array",
                "items": {
                 "type": "string",
                 "maxLength": 512
                },
                "maxItems": 1000
               },
               "denied": {
                "type": "array",
                "items": {
                 "type": "string",
                 "maxLength": 512
                },
                "maxItems": 1000
               },
               "cryptoMiners": {
                "type": "string",
                "enum": [
                 "disable",
                 "alert",
                 "prevent"
                ]
               }
              }
             },
             "dns": {
              "type": "object",
              "additionalProperties": false,
              "properties": {
               "effect": {
                "type": "string",
                "enum": [
                 "disable",
                 "alert",
                 "prevent"
                ]
               },
               "allowed": {
                "type": "array",
                "items": {
                 "type": "string",
                 "maxLength": 512
                },
                "maxItems": 1000
               },
               "denied": {
                "type": "array",
                "items": {
                 "type": "string",
                 "maxLength": 512
                },
                "maxItems": 1000
               }
              }
             },
             "network": {
              "type": "object",
              "additionalProperties": false,
              "properties": {
               "effect": {
                "type": "string",
                "enum": [
                 "disable",
                 "alert",
                 "prevent"
                ]
               },
               "allowedIPs": {
                "type": "array",
                "items": {
                 "type": "string",
                 "maxLength": 512
                },
                "maxItems": 1000
               },
               "deniedIPs": {
                "type": "array",
                "items": {
                 "type": "string",
                 "maxLength": 512
                },
                "maxItems": 1000
               },
               "allowedOutboundPorts": {
                "type": "array",
                "items": {
                 "type": "object",
                 "additionalProperties": false,
                 "required": [
                  "start",
                  "end"
                 ],
                 "properties": {
                  "start": {
                   "type": "integer",
                   "minimum": 0,
                   "maximum": 65535
                  },
                  "end": {
                   "type": "integer",
                   "minimum": 0,
                   "maximum": 65535
                  }
                 }
                }
               },
               "deniedOutboundPorts": {
                "type": "array",
                "items": {
                 "type": "object",
                 "additionalProperties": false,
                 "required": [
                  "start",
                  "end"
                 ],
                 "properties": {
                  "start": {
                   "type": "integer",
                   "minimum": 0,
                   "maximum": 65535
                  },
                  "end": {
                   "type": "integer",
                   "minimum": 0,
                   "maximum": 65535
                  }
                 }
                }
               },
               "allowedListeningPorts": {
                "type": "array",
                "items": {
                 "type": "object",
                 "additionalProperties": false,
                 "required": [
                  "start",
                  "end"
                 ],
                 "properties": {
                  "start": {
                   "type": "integer",
                   "minimum": 0,
                   "maximum": 65535
                  },
                  "end": {
                   "type": "integer",
                   "minimum": 0,
                   "maximum": 65535
                  }
                 }
                }
               },
               "deniedListeningPorts": {
                "type": "array",
                "items": {
                 "type": "object",
                 "additionalProperties": false,
                 "required": [
                  "start",
                  "end"
                 ],
                 "properties": {
                  "start": {
                   "type": "integer",
                   "minimum": 0,
                   "maximum": 65535
                  },
                  "end": {
                   "type": "integer",
                   "minimum": 0,
                   "maximum": 65535
                  }
                 }
                }
               }
              }
             }
            }
           },
           "RuntimePolicy": {
            "type": "object",
            "required": [
             "version",
             "rules"
            ],
            "properties": {
             "version": {
              "type": "integer"
             },
             "rules": {
              "type": "array",
              "items": {
               "$ref": "#/components/schemas/Rule"
              }
             }
            }
           },
           "RuleChange": {
            "type": "object",
            "required": [
             "version",
             "rule"
            ],
            "properties": {
             "version": {
              "type": "integer"
             },
             "rule": {
              "$ref": "#/components/schemas/Rule"
             }
            }
           },
           "Version": {
            "type": "object",
            "required": [
             "version"
            ],
            "properties": {
             "version": {
              "type": "integer"
             }
            }
           },
           "OrderRequest": {
            "type": "object",
            "additionalProperties": false,
            "required": [
             "names"
            ],
            "properties": {
             "names": {
              "type": "array",
              "items": {
               "type": "string"
              }
             }
            }
           },
           "Order": {
            "type": "object",
            "required": [
             "version",
             "names"
            ],
            "properties": {
             "version": {
              "type": "integer"
             },
             "names": {
              "type": "array",
              "items": {
               "type": "string"
              }
             }
            }
           },
           "Defender": {
            "type": "object",
            "required": [
             "id",
             "appID",
             "status",
             "connected",
             "since",
             "lastSeen",
             "revoked"
            ],
            "properties": {
             "id": {
              "type": "string"
             },
             "appID": {
              "type": "string"
             },
             "taskFamily": {
              "type": "string"
             },
             "taskARN": {
              "type": "string"
             },
             "container": {
              "type": "string"
             },
             "image": {
              "type": "string"
             },
             "version": {
              "type": "string"
             },
             "statusText": {
              "type": "string"
             },
             "status": {
              "type": "string",
              "enum": [
               "connected",
               "disconnected",
               "revoked"
              ]
             },
             "connected": {
              "type": "boolean"
             },
             "revoked": {
              "type": "boolean"
             },
             "since": {
              "type": "string",
              "format": "date-time"
             },
             "lastSeen": {
              "type": "string",
              "format": "date-time"
             }
            }
           },
           "InstallBundle": {
            "type": "object",
            "required": [
             "installBundle",
             "consoleAddress"
            ],
            "properties": {
             "installBundle": {
              "type": "string",
              "description": "base64 JSON: console, ca, token"
             },
             "consoleAddress": {
              "type": "string"
             }
            }
           },
           "AuditPage": {
            "type": "object",
            "required": [
             "total",
             "limit",
             "offset",
             "audits"
            ],
            "properties": {
             "total": {
              "type": "integer"
             },
             "limit": {
              "type": "integer"
             },
             "offset": {
              "type": "integer"
             },
             "audits": {
              "type": "array",
              "items": {
               "type": "object"
              }
             }
            }
           },
           "Settings": {
            "type": "object",
            "additionalProperties": false,
            "properties": {
             "defenderExpirySeconds": {
              "type": "integer",
              "minimum": 60,
              "maximum": 7776000
             },
             "auditRetentionDays": {
              "type": "integer",
              "minimum": 1,
              "maximum": 3650
             }
            }
           }
          },
          "securitySchemes": {
           "bearer": {
            "type": "http",
            "scheme": "bearer"
           }
          }
         }
        }
        """#
}
