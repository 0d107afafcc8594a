// plan_model.cpp: a C++ program that plans a model file and a graph built
// in code with Stowage's C API, as a compiler pass would. Build it with
// CMake against an installed libstowage (see CMakeLists.txt), then:
//
//     plan_model MODEL [PLAN_OUT]
//
// MODEL is an ONNX model or a JSON graph; PLAN_OUT receives the plan of
// MODEL (JSON, Schemas/plan.schema.json). Exit status 0 when every call
// behaved as expected, 1 otherwise.
#include <stowage.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>

namespace stowage {

// A failed call: the status (1 no answer, 2 bad input, 3 internal) and the
// library's one-line reason.
class Error : public std::runtime_error {
public:
    Error(int status, const std::string &message) : std::runtime_error(message), status(status) {}
    int status;
};

// A string the library handed back, released by stowage_free.
using Owned = std::unique_ptr<char, void (*)(void *)>;

using Call = int (*)(const char *, const char *, char **, char **);

// Runs one JSON-in, JSON-out call; throws Error on failure.
inline std::string call(Call function, const std::string &first, const std::string &options) {
    char *out = nullptr, *error = nullptr;
    int status = function(first.c_str(), options.c_str(), &out, &error);
    Owned result(out, stowage_free), message(error, stowage_free);
    if (status != STOWAGE_OK) throw Error(status, message ? message.get() : "(no message)");
    return result.get();
}

inline std::string plan_file(const std::string &path, const std::string &options) {
    return call(stowage_plan_file, path, options);
}

inline std::string plan(const std::string &graph, const std::string &options) {
    return call(stowage_plan, graph, options);
}

}  // namespace stowage

// Occurrences of `needle` in `text`.
static size_t count(const std::string &text, const std::string &needle) {
    size_t n = 0;
    for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + needle.size())) n++;
    return n;
}

// The integer after "key": in compact JSON, or -1.
static long long integer(const std::string &json, const std::string &key) {
    size_t at = json.find("\"" + key + "\":");
    return at == std::string::npos ? -1 : std::stoll(json.substr(at + key.size() + 3));
}

// A chain of `layers` matrix products, each with its own weight, and a
// residual add of the input at the end: at M_R the input cannot stay.
static std::string chain_graph(int layers) {
    std::string tensors = "{\"name\": \"x\", \"kind\": \"input\", \"bytes\": 16384}";
    std::string operators;
    for (int i = 1; i <= layers; i++) {
        std::string w = "w" + std::to_string(i), h = "h" + std::to_string(i);
        std::string in = i == 1 ? "x" : "h" + std::to_string(i - 1);
        tensors += ", {\"name\": \"" + w + "\", \"kind\": \"weight\", \"bytes\": 65536}";
        tensors += ", {\"name\": \"" + h + "\", \"bytes\": 16384}";
        operators += std::string(i == 1 ? "" : ", ") + "{\"name\": \"fc" + std::to_string(i) +
                     "\", \"type\": \"MatMul\", \"inputs\": [\"" + in + "\", \"" + w + "\"], \"outputs\": [\"" + h + "\"]}";
    }
    tensors += ", {\"name\": \"y\", \"bytes\": 16384}";
    operators += ", {\"name\": \"residual\", \"type\": \"Add\", \"inputs\": [\"x\", \"h" + std::to_string(layers) +
                 "\"], \"outputs\": [\"y\"]}";
    return "{\"name\": \"chain\", \"tensors\": [" + tensors + "], \"operators\": [" + operators +
           "], \"outputs\": [\"y\"]}";
}

int main(int argc, char **argv) {
    if (argc < 2) {
        std::cerr << "usage: plan_model MODEL [PLAN_OUT]\n";
        return 2;
    }
    int failures = 0;
    std::cout << "stowage " << stowage_version() << " (header " << STOWAGE_VERSION_STRING << ")\n";
    if (std::string(stowage_version()) != STOWAGE_VERSION_STRING) {
        std::cout << "the library is not the version of the header\n";
        failures++;
    }

    // Two requests at once: every function may be called from several threads.
    std::string model_plan, chain_plan, chain_error;
    std::thread other([&] {
        try {
            chain_plan = stowage::plan(chain_graph(8), R"({"scratchpad": "M_R", "method": "ilp", "solver": "glpk", "timeLimit": 30})");
        } catch (const stowage::Error &e) {
            chain_error = e.what();
        }
    });
    try {
        model_plan = stowage::plan_file(argv[1], R"({"scratchpad": "M_H", "dtypeBytes": 1})");
        std::cout << "model: residencies=" << count(model_plan, "\"firstStep\"")
                  << " nonCompulsoryBytes=" << integer(model_plan, "nonCompulsoryBytes") << "\n";
    } catch (const stowage::Error &e) {
        std::cout << "model: status=" << e.status << " error=" << e.what() << "\n";
        failures++;
    }
    other.join();
    if (chain_plan.empty()) {
        std::cout << "chain: " << chain_error << "\n";
        failures++;
    } else {
        std::cout << "chain: nonCompulsoryBytes=" << integer(chain_plan, "nonCompulsoryBytes")
                  << " bound=" << (chain_plan.find("\"bound\":") != std::string::npos ? "yes" : "no") << "\n";
    }
    if (argc > 2 && !model_plan.empty()) {
        std::ofstream out(argv[2]);
        out << model_plan;
        if (!out.good()) {
            std::perror(argv[2]);
            failures++;
        }
    }

    // Failures come back as exceptions with the status and the reason.
    const char *cases[][2] = {
        {"missing", R"({"scratchpad": "M_H"})"},
        {"tiny", R"({"scratchpad": 1024, "dtypeBytes": 1})"},
    };
    for (auto &c : cases) {
        std::string path = std::string(c[0]) == "missing" ? std::string(argv[1]) + ".missing" : argv[1];
        try {
            stowage::plan_file(path, c[1]);
            std::cout << c[0] << ": planned, but should not have\n";
            failures++;
        } catch (const stowage::Error &e) {
            std::cout << c[0] << ": status=" << e.status << " error=" << e.what() << "\n";
        }
    }

    std::cout << (failures ? "FAILED" : "ok") << "\n";
    return failures ? 1 : 0;
}
